"""What a run carries from step to step, and the claim that makes each batch happen once.

A batch (models.Batch) is claimed by writing its row first in the batch's transaction: a concurrent
claimant waits on the unique key and then finds it taken; a claimant killed before commit leaves no row,
so the work is redone by the next attempt.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.directory.models import Organisation
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor

from . import judging
from .models import Batch, EngineRun
from .notices import Audience, misses_recorded
from .windows import Rule, Window
from .workdays import BusinessCalendar


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


def done_keys(ctx: Context, step: str) -> set[str]:
    return set(Batch.objects.filter(tenant=ctx.tenant, step=step).values_list("key", flat=True))


def record(ctx: Context, outcome: judging.Outcome) -> tuple[int, int]:
    with ctx.timed("notify"):
        misses_recorded(tenant=ctx.tenant, miss_ids=outcome.miss_ids, audience=ctx.audience)
    return outcome.judged, len(outcome.miss_ids)
