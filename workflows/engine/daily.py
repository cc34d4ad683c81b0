"""The daily schedule (SPEC §5): beat ticks every ENGINE_TICK_SECONDS; each tenant gets one run a day, started
once its local clock reaches Policy.engine_hour, sent again when its worker went silent or it failed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.jobs import enqueue_on_commit
from backend.tenancy.models import Policy, Tenant

from .models import EngineRun, RunState, RunTrigger
from .runs import RUN


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
