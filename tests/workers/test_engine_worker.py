"""SPEC §5 with real processes on PostgreSQL and Redis: beat starts the daily run on a Celery worker; a worker
killed with SIGKILL in the middle of a run and restarted ends with the same rows as an uninterrupted run;
two `bangfu enforce` processes started together create each row once."""

from __future__ import annotations

import re

import psycopg
import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection

from backend.common import clock
from backend.fieldwork.models import Channel
from notifications.models import Notification
from tests.engine.conftest import D, keep_up, new_policy, paired, second_of
from workers.schedule import install
from workflows.accountability.models import Escalation, Miss
from workflows.engine import runs
from workflows.engine.models import Batch, EngineRun, RunState, RunTrigger
from workflows.engine.windows import window_containing

from .processes import Beat, Worker, database_url, enforce_process, finished, running_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]

AS_OF = D(2018, 9, 6)


@pytest.fixture
def purged():
    from workers.app import app

    app.control.purge()  # messages left by earlier runs point at rows that no longer exist
    yield
    app.control.purge()


def campaign(cast, n: int = 12) -> list:
    """Pairings of 2018 with a pattern of lapses: May–June visits, June calls, July–August visits."""
    pairings = []
    for i in range(n):
        if i % 5 == 0:
            second = second_of(cast)  # a second helper takes at most five households
        p = paired(cast, second=second)
        skip = []
        if i % 3 == 0:
            skip.append(("first", Channel.IN_PERSON, 5))
        if i % 4 == 0:
            skip.append(("first", Channel.IN_PERSON, 7))
        if i % 2 == 0:
            skip.append(("first", Channel.PHONE, 6))
        if i % 5 == 0:
            skip.append(("second", Channel.IN_PERSON, 8))
        keep_up(p, months=range(3, 9), skip=tuple(skip))
        pairings.append(p)
    return pairings


def snapshot(cast, pairings) -> dict:
    """A tenant's engine output with ids replaced by the pairing's place in `pairings` (comparable across
    tenants built alike)."""
    index = {p.pk: i for i, p in enumerate(pairings)}
    helper = {p.first_helper_id: i for i, p in enumerate(pairings)}
    misses = sorted((index.get(m.pairing_id, -1), m.kind, m.role, str(m.window_start), str(m.window_end),
                     m.counts_for_ladder, m.state) for m in Miss.objects.filter(tenant=cast.tenant))
    escalations = sorted((e.level, e.year, helper.get(e.person_id, -1), e.misses.count())
                         for e in Escalation.objects.filter(tenant=cast.tenant))
    kinds = sorted(Notification.objects.filter(tenant=cast.tenant).values_list("kind", flat=True))
    return {"misses": misses, "escalations": escalations, "notifications": kinds}


def assert_no_duplicates(cast) -> None:
    misses = list(Miss.objects.filter(tenant=cast.tenant).values_list("key", flat=True))
    assert len(misses) == len(set(misses))
    keys = list(Notification.objects.filter(tenant=cast.tenant).values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    steps = list(Escalation.objects.filter(tenant=cast.tenant).values_list("level", "year", "person", "organisation"))
    assert len(steps) == len(set(steps))


def test_s5_beat_starts_the_daily_run_on_a_worker_and_it_records_misses_and_escalations(
        cast, tmp_path, settings, purged):
    today = clock.local_today(cast.tenant.time_zone)
    # Three whole two-month windows before the current one: both older ones are surely judgeable today.
    met = window_containing(2, today).start - relativedelta(months=6)
    new_policy(cast, engine_hour=0, programme_end=today + relativedelta(years=3))
    p = paired(cast, first=cast.first_helper, proposed=met, met=met)  # and never a visit or call since
    settings.ENGINE_TICK_SECONDS = 1
    install()
    log = tmp_path / "worker.log"
    with Beat(tmp_path / "beat.log"), running_worker(log, {}, queues="engine,default"):
        assert wait_until(lambda: EngineRun.objects.filter(trigger=RunTrigger.DAILY, state=RunState.FINISHED)
                          .exists(), timeout=120), log.read_text() + (tmp_path / "beat.log").read_text()
    run = EngineRun.objects.get(trigger=RunTrigger.DAILY)
    assert run.as_of == today and run.counts["misses"] >= 2
    visits = Miss.objects.filter(pairing=p, kind="visit", role="first").order_by("window_start")
    assert visits.count() >= 2 and visits[0].window_start == met
    first_year = visits[0].year
    assert Escalation.objects.filter(person=cast.first_helper, level=1, year=first_year).exists()
    assert Notification.objects.filter(kind="miss_recorded", user=cast.users["first_helper"]).count() == \
        Miss.objects.filter(person=cast.first_helper).count()


def _hold(key: str, tenant_id: int) -> psycopg.Connection:
    """Another session writes the claim of one batch and keeps its transaction open: a worker reaching that
    batch waits on the unique key, in the middle of its run."""
    holder = psycopg.connect(database_url())
    holder.execute("INSERT INTO engine_batch (tenant_id, key, step, judged, created, done_at) "
                   "VALUES (%s, %s, 'window', 0, 0, now())", (tenant_id, key))
    return holder


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_s5_a_worker_killed_mid_run_and_restarted_ends_with_the_same_rows(cast, other, tmp_path, purged):
    from workers.app import app

    reference = campaign(other)
    runs.enforce(tenant=other.tenant, as_of=AS_OF)  # uninterrupted, in this process
    pairings = campaign(cast)
    run = runs.start(tenant=cast.tenant, as_of=AS_OF, trigger=RunTrigger.API)
    blocked = f"window:first/phone/1:2018-06-01..2018-06-30:town={cast.town.pk}"
    log = tmp_path / "worker.log"
    # The killed worker's message comes back after 5 s, looked for every second.
    env = {"CELERY_VISIBILITY_TIMEOUT": "5", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
           "CELERY_UNACKED_RESTORE_THROTTLE": "1"}
    first = Worker(log, env, queues="engine")
    holder = _hold(blocked, cast.tenant.pk)
    try:  # the other session's transaction ends whatever happens, or the test database cannot be flushed
        first.start()
        app.send_task("engine.run", kwargs={"run_id": run.pk})
        assert wait_until(_waiting_on_a_lock, timeout=60), log.read_text()
        done_before = set(Batch.objects.filter(run=run).values_list("key", flat=True))
        assert done_before and blocked not in done_before  # some of the run is committed, not all
        first.kill()
    finally:
        holder.rollback()
        holder.close()
        first.stop()
    assert EngineRun.objects.get(pk=run.pk).state == RunState.RUNNING
    with running_worker(log, env, queues="engine"):
        assert wait_until(lambda: EngineRun.objects.get(pk=run.pk).state == RunState.FINISHED, timeout=90), \
            log.read_text()
    run.refresh_from_db()
    assert run.attempts == 2 and done_before < set(Batch.objects.filter(run=run).values_list("key", flat=True))
    assert_no_duplicates(cast)
    assert snapshot(cast, pairings) == snapshot(other, reference)
    assert run.counts["misses"] == Miss.objects.filter(tenant=cast.tenant).count()
    again = runs.enforce(tenant=cast.tenant, as_of=AS_OF)
    assert again.counts == {"windows_judged": 0, "misses": 0, "escalations": 0, "reminders": 0}


COUNTS = re.compile(r"windows judged (\d+), misses (\d+), escalations (\d+), reminders created (\d+)")


def test_s5_two_enforce_processes_started_together_create_each_row_once(cast, other, tmp_path):
    reference = campaign(other, n=30)
    runs.enforce(tenant=other.tenant, as_of=AS_OF)
    pairings = campaign(cast, n=30)
    processes = [enforce_process("2018-09-06", cast.tenant.code, tmp_path / f"enforce-{i}.log") for i in range(2)]
    assert [finished(p) for p in processes] == [0, 0], [(tmp_path / f"enforce-{i}.log").read_text() for i in range(2)]
    outputs = [(tmp_path / f"enforce-{i}.log").read_text() for i in range(2)]
    counts = [tuple(map(int, COUNTS.search(text).groups())) for text in outputs]
    assert_no_duplicates(cast)
    misses = Miss.objects.filter(tenant=cast.tenant).count()
    assert sum(c[1] for c in counts) == misses
    assert sum(c[2] for c in counts) == Escalation.objects.filter(tenant=cast.tenant).count()
    windows = Batch.objects.filter(tenant=cast.tenant, step="window")
    assert sum(c[0] for c in counts) == sum(windows.values_list("judged", flat=True))
    assert snapshot(cast, pairings) == snapshot(other, reference)
