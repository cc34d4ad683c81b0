"""One engine run for a tenant as of a date (SPEC §5): the daily beat job and `bangfu enforce` run this.

A run is a sequence of claimed batches (models.Batch), each one transaction: claim, judge, write the misses
and their messages, record the counts. Whatever is interrupted (a killed worker, a lost connection) rolls
back to the last whole batch, and the next attempt — a redelivered task, the next tick, a rerun by hand —
skips the batches done and does the rest. Two runs at once split the batches between them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Sum

from backend.common import clock
from backend.common.jobs import job
from backend.directory.models import Organisation
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor

from .context import Context
from .models import Batch, EngineRun, RunState, RunTrigger
from .notices import Audience
from .steps import STEPS, all_rules
from .workdays import BusinessCalendar

RUN = job("engine.run")

MISS_STEPS = ("not_in_place", "roster_overdue", "window", "report_overdue")
REMINDER_STEPS = ("remind_window", "remind_roster", "remind_report")
__all__ = ["RUN", "MISS_STEPS", "all_rules", "enforce", "execute", "execute_by_id", "start", "totals"]


def totals(run: EngineRun) -> dict[str, int]:
    per_step = {row["step"]: row for row in
                Batch.objects.filter(run=run).values("step").annotate(judged=Sum("judged"), created=Sum("created"))}

    def created(steps):
        return sum(per_step[s]["created"] for s in steps if s in per_step)

    return {
        "windows_judged": per_step.get("window", {}).get("judged", 0),
        "misses": created(MISS_STEPS),
        "escalations": created(("ladder",)),
        "reminders": created(REMINDER_STEPS),
        **{f"misses_{step}": per_step[step]["created"] for step in MISS_STEPS if step in per_step},
    }


def start(*, tenant: Tenant, as_of: dt.date, trigger: str) -> EngineRun:
    return EngineRun.objects.create(tenant=tenant, as_of=as_of, trigger=trigger)


def execute(run: EngineRun) -> EngineRun:
    """Run (or resume) every step; safe to call again for the same run, or for another run of the day."""
    EngineRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1, state=RunState.RUNNING,
                                               started_at=clock.now(), heartbeat_at=clock.now(), error="")
    run.refresh_from_db()
    tenant = run.tenant
    policy = Policy.current(tenant, on=run.as_of)
    ctx = Context(run=run, tenant=tenant, as_of=run.as_of, policy=policy, calendar=BusinessCalendar(),
                  actor=Actor.system_for(tenant), audience=Audience(tenant),
                  towns=list(Organisation.objects.towns().filter(tenant=tenant).order_by("code")))
    try:
        for step in STEPS:
            step(ctx)
    except Exception as exc:
        EngineRun.objects.filter(pk=run.pk).update(state=RunState.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000],
                                                   timings=_rounded(ctx.timings))
        raise
    EngineRun.objects.filter(pk=run.pk).update(state=RunState.FINISHED, finished_at=clock.now(),
                                               policy_version=policy.version, counts=totals(run),
                                               timings=_rounded(ctx.timings))
    run.refresh_from_db()
    return run


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}


def enforce(*, tenant: Tenant, as_of: dt.date, trigger: str = RunTrigger.CLI) -> EngineRun:
    return execute(start(tenant=tenant, as_of=as_of, trigger=trigger))


def execute_by_id(run_id: int) -> EngineRun | None:
    run = EngineRun.objects.select_related("tenant").filter(pk=run_id).first()
    if run is None or run.state == RunState.FINISHED:
        return run  # a redelivered message for a run already done
    return execute(run)
