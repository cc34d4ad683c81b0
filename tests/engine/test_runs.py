"""SPEC §5, §9: `bangfu enforce` prints its counts; runs are recorded and listed; the daily tick starts one run
per tenant and day at Policy.engine_hour in the tenant's time zone, and sends a silent run again."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from backend.fieldwork.models import Channel
from workflows.engine import daily, runs
from workflows.engine.models import EngineRun, RunState, RunTrigger

from .conftest import D, enforce, keep_up, new_policy, paired

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_enforce_command_prints_its_counts_and_is_safe_to_repeat(cast, other):
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5),))
    out = io.StringIO()
    call_command("enforce", "--as-of", "2018-07-06", "--tenant", "370683", stdout=out)
    text = out.getvalue()
    assert "370683 莱州市 as of 2018-07-06: windows judged " in text
    assert "escalations 1," in text and "window 1, report_overdue 1" in text  # no 2018Q1 report filed
    again = io.StringIO()
    call_command("enforce", "--as-of", "2018-07-06", "--tenant", "370683", stdout=again)
    assert "windows judged 0, misses 0, escalations 0, reminders created 0" in again.getvalue()
    assert EngineRun.objects.filter(tenant=cast.tenant, trigger=RunTrigger.CLI).count() == 2
    assert not EngineRun.objects.filter(tenant=other.tenant).exists()
    with pytest.raises(CommandError):
        call_command("enforce", "--as-of", "2018-07-06", "--tenant", "999999")


def test_every_tenant_without_tenant_option(cast, other):
    out = io.StringIO()
    call_command("enforce", "--as-of", "2018-07-06", stdout=out)
    assert "370600 另一市" in out.getvalue() and "370683 莱州市" in out.getvalue()


def test_a_run_records_its_policy_counts_and_phase_times(cast):
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5),))
    run = enforce(cast, D(2018, 7, 6))
    assert (run.state, run.policy_version, run.attempts) == (RunState.FINISHED, cast.policy.version, 1)
    assert run.counts["misses_window"] == 1 and {"judge", "notify", "ladder"} <= set(run.timings)
    assert run.finished_at is not None and run.batches.filter(step="window").exists()


def test_engine_runs_api_lists_and_starts_runs_for_the_city_office_only(cast, other, enqueued,
                                                                      django_capture_on_commit_callbacks):
    enforce(other, D(2018, 7, 6))
    city = cast.client("city_office")
    with django_capture_on_commit_callbacks(execute=True):
        started = city.post("/api/v1/engine-runs/", {"as_of": "2018-07-06"}, format="json")
    assert started.status_code == 201 and started.json()["trigger"] == "api"
    assert enqueued == [("engine.run", {"run_id": started.json()["id"]})]
    runs.execute_by_id(started.json()["id"])
    listed = city.get("/api/v1/engine-runs/").json()["results"]
    assert [r["id"] for r in listed] == [started.json()["id"]] and listed[0]["state"] == "finished"
    foreign = EngineRun.objects.get(tenant=other.tenant)
    assert city.get(f"/api/v1/engine-runs/{foreign.pk}/").status_code == 404
    assert cast.client("town_office").post("/api/v1/engine-runs/", {}, format="json").status_code == 403
    assert cast.client("town_office").get("/api/v1/engine-runs/").json()["count"] == 0


def test_the_daily_tick_starts_one_run_per_day_at_the_policy_hour_in_the_tenants_zone(
        cast, enqueued, django_capture_on_commit_callbacks):
    new_policy(cast, engine_hour=2)
    before = dt.datetime(2018, 7, 6, 1, 59, tzinfo=SHANGHAI)
    assert daily.tick(before) == [] and not EngineRun.objects.exists()
    at_two = dt.datetime(2018, 7, 5, 18, 0, tzinfo=dt.UTC)  # 02:00 on 2018-07-06 in Shanghai
    with django_capture_on_commit_callbacks(execute=True):
        [run_id] = daily.tick(at_two)
    run = EngineRun.objects.get(pk=run_id)
    assert (run.as_of, run.trigger) == (D(2018, 7, 6), RunTrigger.DAILY)
    assert enqueued == [("engine.run", {"run_id": run_id})]
    assert daily.tick(at_two + dt.timedelta(minutes=1)) == []  # the same day: nothing more
    runs.execute_by_id(run_id)
    assert daily.tick(at_two + dt.timedelta(hours=3)) == []
    next_day = daily.tick(at_two + dt.timedelta(days=1))
    assert len(next_day) == 1 and EngineRun.objects.get(pk=next_day[0]).as_of == D(2018, 7, 7)


def test_a_run_whose_worker_went_silent_is_sent_again_after_the_lease(cast, enqueued, settings):
    settings.ENGINE_LEASE_SECONDS = 600
    new_policy(cast, engine_hour=0)
    now = dt.datetime(2018, 7, 6, 3, 0, tzinfo=SHANGHAI)
    [run_id] = daily.tick(now)
    assert daily.tick(now + dt.timedelta(minutes=9)) == []
    assert daily.tick(now + dt.timedelta(minutes=11)) == [run_id]
    EngineRun.objects.filter(pk=run_id).update(state=RunState.FAILED, attempts=1)
    assert daily.tick(now + dt.timedelta(minutes=13)) == []  # a failed run waits before its retry
    assert daily.tick(now + dt.timedelta(minutes=30)) == [run_id]
    EngineRun.objects.filter(pk=run_id).update(attempts=settings.ENGINE_MAX_ATTEMPTS)
    assert daily.tick(now + dt.timedelta(hours=2)) == []
