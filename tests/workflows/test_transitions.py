"""SPEC §4, §9: every transition of every machine — the allowed path, a wrong-state attempt (409), a
wrong-role attempt (403), each through the API with Chinese messages, and on PostgreSQL a concurrent attempt
where exactly one request wins and one log row is written."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connections

from backend.common.errors import Conflict
from tests.workflows.conftest import TODAY, moment
from workflows.accountability import services as escalations
from workflows.core.models import TransitionLog
from workflows.pairings import services as pairings
from workflows.replacements import services as replacements
from workflows.reporting import services as reports
from workflows.rosters import services as rosters


@dataclass
class T:
    resource: str
    url: str
    build: tuple  # (builder name, state, *args) giving an object in the source state
    role: str  # may act
    wrong_role: str  # sees the object but may not act
    wrong_state: tuple  # an object in a state where the transition is not allowed
    target: str  # state after
    call: Any  # (world, obj, actor) -> service call, for the race
    body: dict = field(default_factory=dict)
    name: str = ""

    def make(self, world, spec):
        builder, *args = spec
        return getattr(world, builder)(*args)


WHEN = moment(TODAY + dt.timedelta(days=3)).isoformat()

MACHINES = [
    # Roster: draft → submitted → accepted | returned → draft
    T("rosters", "submit", ("roster", "draft"), "unit_liaison", "town2_office", ("roster", "accepted"), "submitted",
      lambda w, o, a: rosters.submit(actor=a, roster=o)),
    T("rosters", "accept", ("roster", "submitted"), "town2_office", "unit_liaison", ("roster", "draft"), "accepted",
      lambda w, o, a: rosters.accept(actor=a, roster=o)),
    T("rosters", "return", ("roster", "submitted"), "town2_office", "unit_liaison", ("roster", "accepted"), "returned",
      lambda w, o, a: rosters.return_to_unit(actor=a, roster=o, reason="人数不符"), {"reason": "人数不符"}),
    T("rosters", "revise", ("roster", "returned"), "unit_liaison", "town2_office", ("roster", "submitted"), "draft",
      lambda w, o, a: rosters.revise(actor=a, roster=o)),
    # Pairing: proposed → active → ended
    T("pairings", "activate", ("pairing", "proposed"), "town_office", "unit_liaison", ("pairing", "active"), "active",
      lambda w, o, a: pairings.activate(actor=a, pairing=o, met_on=dt.date(2018, 3, 22)), {"met_on": "2018-03-22"}),
    T("pairings", "end", ("pairing", "active"), "town_office", "unit_liaison", ("pairing", "ended"), "ended",
      lambda w, o, a: pairings.end(actor=a, pairing=o, on=TODAY, reason_code="household_exited"),
      {"on": TODAY.isoformat(), "end_reason": "household_exited"}),
    # Replacement: filed → accepted | rejected; accepted → effective on the effective date
    T("replacements", "accept", ("replacement", "filed"), "city_office", "town_office", ("replacement", "rejected"),
      "accepted", lambda w, o, a: replacements.accept(actor=a, replacement=o)),
    T("replacements", "reject", ("replacement", "filed"), "city_office", "town_office", ("replacement", "accepted"),
      "rejected", lambda w, o, a: replacements.reject(actor=a, replacement=o, reason="不符合规定"),
      {"reason": "不符合规定"}),
    T("replacements", "take-effect", ("replacement", "due"), "city_office", "town_office", ("replacement", "filed"),
      "effective", lambda w, o, a: replacements.take_effect(actor=a, replacement=o)),
    # Quarterly report: open → compiled → submitted → approved | returned → compiled
    T("quarterly-reports", "compile", ("report", "open"), "town_office", "city_office", ("report", "submitted"),
      "compiled", lambda w, o, a: reports.compile_report(actor=a, report=o)),
    T("quarterly-reports", "submit", ("report", "compiled"), "town_office", "city_office", ("report", "open"),
      "submitted", lambda w, o, a: reports.submit(actor=a, report=o, override_reason="王芳外出培训，先行报送"),
      {"reason": "王芳外出培训，先行报送"}),
    T("quarterly-reports", "approve", ("report", "submitted"), "city_office", "town_office", ("report", "compiled"),
      "approved", lambda w, o, a: reports.approve(actor=a, report=o)),
    T("quarterly-reports", "return", ("report", "submitted"), "city_office", "town_office", ("report", "approved"),
      "returned", lambda w, o, a: reports.return_to_town(actor=a, report=o, reason="数据有误"), {"reason": "数据有误"}),
    T("quarterly-reports", "reopen", ("report", "returned"), "town_office", "city_office", ("report", "submitted"),
      "compiled", lambda w, o, a: reports.reopen(actor=a, report=o, villages=[w.cast.village]),
      {"villages": "village"}),
    # Escalation (helper level): open → notice_issued → interview_scheduled → interview_held → closed | withdrawn
    T("escalations", "issue-notice", ("escalation", "open"), "city_office", "leading_group",
      ("escalation", "notice_issued"), "notice_issued", lambda w, o, a: escalations.issue_notice(actor=a, escalation=o)),
    T("escalations", "schedule-interview", ("escalation", "notice_issued"), "unit_liaison", "leading_group",
      ("escalation", "open"), "interview_scheduled",
      lambda w, o, a: escalations.schedule_interview(actor=a, escalation=o, when=moment(TODAY), where="单位会议室",
                                                     who="单位党组书记"),
      {"when": WHEN, "where": "单位会议室", "who": "单位党组书记"}),
    T("escalations", "hold-interview", ("escalation", "interview_scheduled"), "unit_liaison", "leading_group",
      ("escalation", "notice_issued"), "interview_held",
      lambda w, o, a: escalations.hold_interview(actor=a, escalation=o, notes="已约谈"), {"notes": "已约谈，表示整改"}),
    T("escalations", "close", ("escalation", "interview_held"), "city_office", "leading_group",
      ("escalation", "interview_scheduled"), "closed", lambda w, o, a: escalations.close(actor=a, escalation=o)),
    T("escalations", "withdraw", ("escalation", "interview_scheduled"), "city_office", "unit_liaison",
      ("escalation", "closed"), "withdrawn",
      lambda w, o, a: escalations.withdraw(actor=a, escalation=o, evidence="走访记录补录"), {"reason": "走访记录补录"}),
    # Escalation (unit level): the leadership group acts, not the city office
    T("escalations", "issue-notice", ("escalation", "open", 3), "leading_group", "city_office",
      ("escalation", "notice_issued", 3), "notice_issued",
      lambda w, o, a: escalations.issue_notice(actor=a, escalation=o), name="level3"),
    T("escalations", "schedule-interview", ("escalation", "notice_issued", 3), "leading_group", "unit_liaison",
      ("escalation", "interview_held", 3), "interview_scheduled",
      lambda w, o, a: escalations.schedule_interview(actor=a, escalation=o, when=moment(TODAY), where="市委会议室",
                                                     who="领导小组副组长"),
      {"when": WHEN, "where": "市委会议室", "who": "领导小组副组长"}, name="level3"),
    T("escalations", "hold-interview", ("escalation", "interview_scheduled", 3), "leading_group", "city_office",
      ("escalation", "notice_issued", 3), "interview_held",
      lambda w, o, a: escalations.hold_interview(actor=a, escalation=o, notes="约谈单位主要负责人"),
      {"notes": "约谈单位主要负责人，单位作出书面检查"}, name="level3"),
    T("escalations", "close", ("escalation", "interview_held", 3), "leading_group", "unit_liaison",
      ("escalation", "open", 3), "closed", lambda w, o, a: escalations.close(actor=a, escalation=o), name="level3"),
    T("escalations", "withdraw", ("escalation", "notice_issued", 3), "city_office", "leading_group",
      ("escalation", "withdrawn", 3), "withdrawn",
      lambda w, o, a: escalations.withdraw(actor=a, escalation=o, evidence="满意度调查记录有误"),
      {"reason": "满意度调查记录有误"}, name="level3"),
]
IDS = [f"{t.resource}-{t.url}{'-' + t.name if t.name else ''}" for t in MACHINES]


def body_for(world, t: T) -> dict:
    body = dict(t.body)
    if body.get("villages") == "village":
        body["villages"] = [world.cast.village.pk]
    return body


def post(world, t: T, role: str, obj):
    return world.client(role).post(f"/api/v1/{t.resource}/{obj.pk}/{t.url}/", body_for(world, t), format="json")


@pytest.mark.parametrize("t", MACHINES, ids=IDS)
def test_allowed_path_moves_the_state_and_logs_actor_and_reason(world, t):
    obj = t.make(world, t.build)
    before = obj.state
    body = body_for(world, t)
    body.setdefault("reason", "按规定办理")
    response = world.client(t.role).post(f"/api/v1/{t.resource}/{obj.pk}/{t.url}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == t.target
    log = TransitionLog.objects.for_object(obj).exclude(transition__in=["create", "edit_entries", "attest"]).last()
    assert (log.from_state, log.to_state) == (before, t.target)
    assert log.actor == (world.town2_user if t.role == "town2_office" else world.cast.users[t.role])
    assert log.reason == body["reason"]


@pytest.mark.parametrize("t", MACHINES, ids=IDS)
def test_wrong_state_answers_409_in_chinese(world, t):
    obj = t.make(world, t.wrong_state)
    response = post(world, t, t.role, obj)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "transition_not_allowed"
    assert "当前状态" in response.json()["message"] or "状态为" in response.json()["message"]


@pytest.mark.parametrize("t", MACHINES, ids=IDS)
def test_wrong_role_answers_403_in_chinese(world, t):
    obj = t.make(world, t.build)
    before = obj.state
    response = post(world, t, t.wrong_role, obj)
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "forbidden"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    obj.refresh_from_db()
    assert obj.state == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("t", MACHINES, ids=IDS)
def test_concurrent_attempts_exactly_one_wins(world, t):
    obj = t.make(world, t.build)
    model = type(obj)
    actor = world.actor(t.role)
    copies = [model.objects.get(pk=obj.pk) for _ in range(2)]  # both read the source state first
    barrier = threading.Barrier(2)
    results: list[str] = []
    logged_before = TransitionLog.objects.for_object(obj).count()

    def run(copy):
        try:
            barrier.wait()
            t.call(world, copy, actor)
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "stale"], results
    obj.refresh_from_db()
    assert obj.state == t.target
    moves = list(TransitionLog.objects.for_object(obj)[logged_before:])
    assert [m.to_state for m in moves] == [t.target]
