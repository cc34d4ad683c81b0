"""One engine run for a tenant as of a date (SPEC §5): the daily beat job and `bangfu enforce` run this.

A run is a sequence of claimed batches (models.Batch), each one transaction: claim, judge, write the misses
and their messages, record the counts. Whatever is interrupted (a killed worker, a lost connection) rolls
back to the last whole batch, and the next attempt — a redelivered task, the next tick, a rerun by hand —
skips the batches done and does the rest. Two runs at once split the batches between them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Sum

from backend.common import clock
from backend.common.jobs import enqueue_on_commit, job
from backend.directory.models import Organisation
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor
from workflows.pairings.models import Pairing
from workflows.reporting.models import quarter_bounds, quarter_label
from workflows.reporting.services import due_on as report_due_on

from . import judging, ladder, reminders
from .models import Batch, EngineRun, RunState, RunTrigger
from .notices import Audience, misses_recorded
from .windows import Rule, Window, judgeable_windows, window_containing
from .workdays import BusinessCalendar

log = logging.getLogger(__name__)

RUN = job("engine.run")

WINDOWS_PER_STATEMENT = 6
MISS_STEPS = ("not_in_place", "roster_overdue", "window", "report_overdue")
REMINDER_STEPS = ("remind_window", "remind_roster", "remind_report")


@dataclass
class Context:
    run: EngineRun
    tenant: Tenant
    as_of: dt.date
    policy: Policy
    calendar: BusinessCalendar
    actor: Actor
    audience: Audience
    towns: list[Organisation]
    timings: dict[str, float] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)
    _policies: dict[dt.date, Policy] = field(default_factory=dict)

    def policy_on(self, day: dt.date) -> Policy:
        if day not in self._policies:
            self._policies[day] = Policy.current(self.tenant, on=day)
        return self._policies[day]

    @contextmanager
    def timed(self, phase: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The first instant after `day` in the tenant's zone: "by the due date" means before this."""
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(self.tenant.time_zone))


def window_key(rule: Rule, window: Window, town_id: int) -> str:
    return f"window:{rule.code}:{window.text}:town={town_id}"


def not_in_place_key(cutoff: dt.date, town_id: int) -> str:
    return f"not_in_place:{cutoff.isoformat()}:town={town_id}"


def roster_key(cutoff: dt.date) -> str:
    return f"roster_overdue:{cutoff.isoformat()}"


def report_key(year: int, quarter: int) -> str:
    return f"report_overdue:{year}Q{quarter}"


def claim(ctx: Context, *, key: str, step: str, work: Callable[[], tuple[int, int]]) -> bool:
    """Do `work` once per key across all runs and workers: False when another claimant did or does it."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                batch = Batch.objects.create(tenant=ctx.tenant, key=key, step=step, run=ctx.run)
        except IntegrityError:
            return False
        judged, created = work()
        Batch.objects.filter(pk=batch.pk).update(judged=judged, created=created)
        EngineRun.objects.filter(pk=ctx.run.pk).update(heartbeat_at=clock.now())
    return True


def _done(ctx: Context, step: str) -> set[str]:
    return set(Batch.objects.filter(tenant=ctx.tenant, step=step).values_list("key", flat=True))


def _record(ctx: Context, outcome: judging.Outcome) -> tuple[int, int]:
    with ctx.timed("notify"):
        misses_recorded(tenant=ctx.tenant, miss_ids=outcome.miss_ids, audience=ctx.audience)
    return outcome.judged, len(outcome.miss_ids)


# -- steps ----------------------------------------------------------------------------------------------

def not_in_place(ctx: Context) -> None:
    cutoff = ctx.policy.in_place_cutoff
    if ctx.as_of <= cutoff:
        return
    done = _done(ctx, "not_in_place")

    for town in ctx.towns:
        key = not_in_place_key(cutoff, town.pk)
        if key in done:
            continue

        def work(town=town):
            with ctx.timed("judge"):
                outcome = judging.judge_not_in_place(tenant_id=ctx.tenant.pk, town_id=town.pk, policy=ctx.policy,
                                                     cutoff=cutoff, as_of=ctx.as_of)
            return _record(ctx, outcome)

        claim(ctx, key=key, step="not_in_place", work=work)


def overdue_rosters(ctx: Context) -> None:
    cutoff = ctx.policy.roster_cutoff
    due = ctx.calendar.due_date(cutoff, ctx.policy)
    if ctx.as_of <= due:
        return

    def work():
        with ctx.timed("judge"):
            outcome = judging.judge_rosters(tenant_id=ctx.tenant.pk, policy=ctx.policy, year=cutoff.year,
                                            cutoff=cutoff, due=due, due_end=ctx.end_of_day(due), as_of=ctx.as_of)
        return _record(ctx, outcome)

    claim(ctx, key=roster_key(cutoff), step="roster_overdue", work=work)


def quarters(ctx: Context, *, ended_before: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    """(year, quarter, start, due date moved off holidays) of quarters since the first meeting."""
    first = first_met(ctx)
    if first is None:
        return []
    out = []
    for year in range(first.year, ended_before.year + 1):
        for quarter in (1, 2, 3, 4):
            start, end = quarter_bounds(year, quarter)
            if first <= end < ended_before:
                due = ctx.calendar.due_date(report_due_on(ctx.tenant, year, quarter), ctx.policy_on(end))
                out.append((year, quarter, start, due))
    return out


def overdue_reports(ctx: Context) -> None:
    done = _done(ctx, "report_overdue")
    for year, quarter, start, due in quarters(ctx, ended_before=ctx.as_of):
        key = report_key(year, quarter)
        if ctx.as_of <= due or key in done:
            continue

        def work(year=year, quarter=quarter, start=start, due=due):
            with ctx.timed("judge"):
                outcome = judging.judge_reports(tenant_id=ctx.tenant.pk, policy=ctx.policy, year=year, quarter=quarter,
                                                start=start, due=due, due_end=ctx.end_of_day(due),
                                                label=quarter_label(year, quarter), as_of=ctx.as_of)
            return _record(ctx, outcome)

        claim(ctx, key=key, step="report_overdue", work=work)


def counts_for_ladder(rule: Rule, policy: Policy) -> bool:
    """S17 climbs on first helpers' in-person misses; phone and second-helper misses only by policy."""
    return ((rule.channel != "phone" or policy.ladder_counts_phone_misses)
            and (rule.role != "second" or policy.ladder_counts_second_helper_misses))


def all_rules(tenant: Tenant) -> list[Rule]:
    """Every rule of every policy version: a window is judged by the version in force on its last day."""
    rules = {Rule.of(raw) for p in Policy.objects.filter(tenant=tenant) for raw in p.frequency_rules}
    return sorted(rules)


def first_met(ctx: Context) -> dt.date | None:
    """The programme's first in-person meeting: nothing before it is judged."""
    if "first_met" not in ctx.memo:
        ctx.memo["first_met"] = Pairing.objects.filter(tenant=ctx.tenant).aggregate(m=Min("met_on"))["m"]
    return ctx.memo["first_met"]


def first_year(ctx: Context) -> int | None:
    first = first_met(ctx)
    return first.year if first else None


def due_windows(ctx: Context) -> list[tuple[Rule, Window, Policy]]:
    start = first_year(ctx)
    if start is None:
        return []
    due = []
    for rule in all_rules(ctx.tenant):
        for window in judgeable_windows(rule.months, first_year=start, as_of=ctx.as_of, grace_days=0):
            policy = ctx.policy_on(window.end)
            if rule in {Rule.of(r) for r in policy.frequency_rules} and \
                    window.judgeable_from(policy.grace_days) <= ctx.as_of:
                due.append((rule, window, policy))
    return due


def compliance_windows(ctx: Context) -> None:
    """Town by town: every window due there is claimed (one batch each) and judged in one statement."""
    done = _done(ctx, "window")
    due = [judging.DueWindow(rule, window, policy, counts_for_ladder(rule, policy))
           for rule, window, policy in due_windows(ctx)]
    for town in ctx.towns:
        pending = [(d, window_key(d.rule, d.window, town.pk)) for d in due]
        pending = [(d, key) for d, key in pending if key not in done]
        # A day brings one to three windows; a run catching up on months is cut into short transactions.
        for start in range(0, len(pending), WINDOWS_PER_STATEMENT):
            claim_many(ctx, town=town, pending=pending[start:start + WINDOWS_PER_STATEMENT])


def claim_many(ctx: Context, *, town: Organisation, pending: list) -> None:
    with transaction.atomic():
        with ctx.timed("judge"):
            claimed = []
            for d, key in pending:
                try:
                    with transaction.atomic():
                        batch = Batch.objects.create(tenant=ctx.tenant, key=key, step="window", run=ctx.run)
                    claimed.append((d, batch))
                except IntegrityError:
                    continue  # judged (or being judged) by another run
            if not claimed:
                return
            outcomes = judging.judge_windows(tenant_id=ctx.tenant.pk, town_id=town.pk,
                                             due=[d for d, _ in claimed], as_of=ctx.as_of)
            for (_, batch), outcome in zip(claimed, outcomes, strict=True):
                Batch.objects.filter(pk=batch.pk).update(judged=outcome.judged, created=len(outcome.miss_ids))
        with ctx.timed("notify"):
            misses_recorded(tenant=ctx.tenant, miss_ids=[pk for o in outcomes for pk in o.miss_ids],
                            audience=ctx.audience)
        EngineRun.objects.filter(pk=ctx.run.pk).update(heartbeat_at=clock.now())


def climb_ladder(ctx: Context) -> None:
    """Every year since the first pairing: a late run may have judged windows of years long past.
    The tenant row is locked for each year's climb, so concurrent runs neither race nor double-count."""
    start = first_year(ctx)
    if start is None:
        return
    for year in range(start, ctx.as_of.year + 1):
        policy = ctx.policy_on(min(ctx.as_of, dt.date(year, 12, 31)))
        with transaction.atomic(), ctx.timed("ladder"):
            Tenant.objects.select_for_update().filter(pk=ctx.tenant.pk).first()
            opened = ladder.climb(tenant=ctx.tenant, year=year, policy=policy, actor=ctx.actor)
            if opened:
                run = EngineRun.objects.get(pk=ctx.run.pk)
                Batch.objects.create(tenant=ctx.tenant, key=f"ladder:{year}:run={run.pk}:attempt={run.attempts}",
                                     step="ladder", run=run, judged=opened, created=opened)


def remind(ctx: Context) -> None:
    for raw in ctx.policy.frequency_rules:
        rule = Rule.of(raw)
        window = window_containing(rule.months, ctx.as_of)
        ahead = reminders.days_ahead(ctx.policy, "visit" if rule.channel == "in_person" else "call")
        if not window.end - dt.timedelta(days=ahead) <= ctx.as_of <= window.end:
            continue
        for town in ctx.towns:
            def work(rule=rule, window=window, town=town):
                with ctx.timed("remind"):
                    return reminders.remind_window(tenant=ctx.tenant, town_id=town.pk, rule=rule, window=window,
                                                   as_of=ctx.as_of, audience=ctx.audience)

            claim(ctx, key=f"remind:{rule.code}:{window.text}:town={town.pk}", step="remind_window", work=work)
    cutoff = ctx.policy.roster_cutoff
    due = ctx.calendar.due_date(cutoff, ctx.policy)
    if due - dt.timedelta(days=reminders.days_ahead(ctx.policy, "roster")) <= ctx.as_of <= due:
        def rosters():
            with ctx.timed("remind"):
                return reminders.remind_rosters(tenant=ctx.tenant, year=cutoff.year, due=due, as_of=ctx.as_of,
                                                audience=ctx.audience)

        claim(ctx, key=f"remind_roster:{cutoff.isoformat()}", step="remind_roster", work=rosters)
    ahead = dt.timedelta(days=reminders.days_ahead(ctx.policy, "report"))
    for year, quarter, _start, due in quarters(ctx, ended_before=ctx.as_of):
        if not due - ahead <= ctx.as_of <= due:
            continue

        def reports(year=year, quarter=quarter, due=due):
            with ctx.timed("remind"):
                return reminders.remind_reports(tenant=ctx.tenant, year=year, quarter=quarter, due=due,
                                                label=quarter_label(year, quarter), as_of=ctx.as_of,
                                                as_of_end=ctx.end_of_day(ctx.as_of), audience=ctx.audience)

        claim(ctx, key=f"remind_report:{year}Q{quarter}", step="remind_report", work=reports)


STEPS = (not_in_place, overdue_rosters, compliance_windows, overdue_reports, climb_ladder, remind)


# -- runs -----------------------------------------------------------------------------------------------

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


# -- the daily schedule -----------------------------------------------------------------------------------

def tick(now: dt.datetime | None = None) -> list[int]:
    """Beat calls this every minute: each tenant whose local clock has reached Policy.engine_hour gets its
    run for the day (one per day: a unique index), and a run whose worker went silent is sent again."""
    now = now or clock.now()
    lease = dt.timedelta(seconds=settings.ENGINE_LEASE_SECONDS)
    sent = []
    for tenant in Tenant.objects.order_by("pk"):
        local = now.astimezone(ZoneInfo(tenant.time_zone))
        if local.hour < Policy.current(tenant, on=local.date()).engine_hour:
            continue
        with transaction.atomic():
            run = _daily_run(tenant, local.date())
            last_sign = run.heartbeat_at or run.created_at
            fresh = run.attempts == 0 and run.heartbeat_at is None
            stale = run.state == RunState.RUNNING and last_sign < now - lease
            retry = (run.state == RunState.FAILED and run.attempts < settings.ENGINE_MAX_ATTEMPTS
                     and last_sign < now - dt.timedelta(seconds=settings.ENGINE_RETRY_SECONDS))
            if fresh or stale or retry:
                EngineRun.objects.filter(pk=run.pk).update(heartbeat_at=now)
                enqueue_on_commit(RUN, run_id=run.pk)
                sent.append(run.pk)
    return sent


def _daily_run(tenant: Tenant, day: dt.date) -> EngineRun:
    run = EngineRun.objects.select_for_update().filter(tenant=tenant, as_of=day, trigger=RunTrigger.DAILY).first()
    if run is not None:
        return run
    try:
        with transaction.atomic():
            return EngineRun.objects.create(tenant=tenant, as_of=day, trigger=RunTrigger.DAILY)
    except IntegrityError:  # another tick created it first
        return EngineRun.objects.select_for_update().get(tenant=tenant, as_of=day, trigger=RunTrigger.DAILY)
