"""S17 escalations: one per ladder step, opened idempotently by the engine or by hand, then notice →
interview → closed, or withdrawn with evidence (the misses are voided)."""

import datetime as dt
import itertools

import pytest

from backend.common.errors import Forbidden, ValidationFailed
from backend.tenancy.scoping import Actor
from workflows.accountability import services
from workflows.accountability.models import Escalation, Miss, MissKind, MissState

_n = itertools.count(100)


def miss(cast, n=None, person=None, kind=MissKind.VISIT):
    person = person or cast.first_helper
    n = next(_n) if n is None else n
    return Miss.objects.create(tenant=cast.tenant, key=f"visit:{person.pk}:{n}", kind=kind, year=2018, person=person,
                               role="first", organisation=person.organisation, town=cast.town,
                               household=cast.household, window_start=dt.date(2018, 3, 1),
                               window_end=dt.date(2018, 4, 30), policy_version=cast.policy.version)


def open_level(cast, level=1, misses=None, actor=None, **target):
    if level in (1, 2):
        target.setdefault("person", cast.first_helper)
    else:
        target.setdefault("organisation", cast.unit)
    return services.open_escalation(tenant=cast.tenant, level=level, year=2018, misses=misses or [miss(cast)],
                                    actor=actor or Actor.system_for(cast.tenant), reason="第一次未按要求入户", **target)


def test_s17_open_escalation_is_idempotent_and_collects_misses(cast):
    first, second = miss(cast, 1), miss(cast, 2)
    a = open_level(cast, misses=[first])
    b = open_level(cast, misses=[first, second])
    assert a.pk == b.pk and Escalation.objects.count() == 1
    assert set(b.misses.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert b.organisation == cast.unit and not b.loses_award_eligibility


def test_s17_level_two_records_loss_of_award_eligibility(cast):
    esc = open_level(cast, level=2)
    assert esc.loses_award_eligibility
    assert list(Escalation.objects.award_ineligible(2018).values_list("person", flat=True)) == [cast.first_helper.pk]


def test_s17_level_three_targets_a_unit(cast):
    esc = open_level(cast, level=3)
    assert esc.person is None and esc.organisation == cast.unit and esc.target_name == cast.unit.name
    with pytest.raises(ValidationFailed, match="三级问责须指定部门单位"):
        open_level(cast, level=3, organisation=cast.town)


def test_s17_only_the_city_office_opens_by_hand(cast):
    with pytest.raises(Forbidden):
        open_level(cast, actor=cast.actor("unit_liaison"))
    esc = open_level(cast, actor=cast.actor("city_office"))
    assert esc.source == "manual"


def test_s17_withdrawal_voids_the_misses_and_a_new_step_can_open(cast):
    m = miss(cast)
    esc = open_level(cast, misses=[m])
    services.withdraw(actor=cast.actor("city_office"), escalation=esc, evidence="该户当月住院，走访记录补录在案")
    m.refresh_from_db()
    assert m.state == MissState.WITHDRAWN and m.withdrawn_at and "住院" in m.withdrawn_reason
    again = open_level(cast, misses=[miss(cast, 3)])
    assert again.pk != esc.pk


# -- notices, interviews, the API ---------------------------------------------------------------------------

def test_s17_notice_and_interview_reach_the_helper_and_the_unit(world):
    from notifications.models import Notification

    esc = world.escalation("notice_issued")
    notices = Notification.objects.filter(kind="escalation_notice")
    assert {n.user for n in notices} == {world.cast.users["first_helper"], world.cast.users["unit_liaison"]}
    assert "2018年度结对帮扶工作问责（一级）" in notices[0].body and "1—2月未入户走访" in notices[0].body

    client = world.client("unit_liaison")
    body = {"when": "2018-04-13T15:00:00+08:00", "where": "财政局三楼会议室", "who": "局党组书记"}
    assert client.post(f"/api/v1/escalations/{esc.pk}/schedule-interview/", body, format="json").status_code == 200
    invite = Notification.objects.filter(kind="interview_scheduled", user=world.cast.users["first_helper"]).get()
    assert "2018年4月13日" in invite.body and "财政局三楼会议室" in invite.body and "局党组书记" in invite.body
    moved = {**body, "when": "2018-04-16T09:00:00+08:00"}
    client.post(f"/api/v1/escalations/{esc.pk}/schedule-interview/", moved, format="json")
    assert Notification.objects.filter(kind="interview_scheduled", user=world.cast.users["first_helper"]).count() == 2
    held = client.post(f"/api/v1/escalations/{esc.pk}/hold-interview/", {"notes": "本人说明情况并承诺整改"},
                       format="json").json()
    assert held["state"] == "interview_held" and held["interview_notes"] == "本人说明情况并承诺整改"


def test_s17_level_three_notice_goes_to_the_unit(world):
    from notifications.models import Notification

    world.escalation("notice_issued", level=3)
    assert [n.user for n in Notification.objects.filter(kind="escalation_notice")] == [world.cast.users["unit_liaison"]]


def test_s17_city_office_opens_by_hand_through_the_api(world):
    m = world.miss()
    body = {"level": 2, "year": 2018, "person": world.cast.first_helper.pk, "misses": [m.pk], "reason": "督导检查发现未入户"}
    created = world.client("city_office").post("/api/v1/escalations/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["loses_award_eligibility"] and created.json()["misses"] == [m.pk]
    again = world.client("city_office").post("/api/v1/escalations/", body, format="json").json()
    assert again["id"] == created.json()["id"]
    assert world.client("town_office").post("/api/v1/escalations/", body, format="json").status_code == 403
    assert world.client("assessor").post("/api/v1/escalations/", body, format="json").status_code == 403
    listed = world.client("assessor").get("/api/v1/escalations/?loses_award_eligibility=true&year=2018").json()
    assert [row["person"] for row in listed["results"]] == [world.cast.first_helper.pk]


def test_s17_the_unit_and_the_helper_see_their_escalations_only(world):
    from tests.factories import PersonFactory

    mine = world.escalation()
    stranger = PersonFactory(organisation__tenant=world.cast.tenant, name="外单位")
    theirs = services.open_escalation(tenant=world.cast.tenant, level=1, year=2018, person=stranger,
                                      misses=[world.miss(stranger)], actor=Actor.system_for(world.cast.tenant))
    for role in ("unit_liaison", "first_helper"):
        ids = [row["id"] for row in world.client(role).get("/api/v1/escalations/").json()["results"]]
        assert ids == [mine.pk]
        assert world.client(role).get(f"/api/v1/escalations/{theirs.pk}/").status_code == 404
    assert world.client("second_helper").get("/api/v1/escalations/").json()["count"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_s17_two_engines_opening_the_same_step_at_once_make_one_row(world):
    import threading

    from django.db import connections

    misses = [world.miss() for _ in range(6)]
    barrier = threading.Barrier(6)
    ids = []

    def run(m):
        try:
            barrier.wait()
            ids.append(services.open_escalation(tenant=world.cast.tenant, level=1, year=2018,
                                                person=world.cast.first_helper, misses=[m],
                                                actor=Actor.system_for(world.cast.tenant)).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(m,)) for m in misses]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 6 and len(set(ids)) == 1
    esc = Escalation.objects.get()
    assert esc.misses.count() == 6
    from workflows.core.models import TransitionLog

    assert TransitionLog.objects.for_object(esc).count() == 1
