"""S10 rosters: the unit submits its first helpers per town against its A6 quota; the town accepts or returns;
acceptance makes them available as first helpers."""

import datetime
from collections import Counter

from workflows.pairings.models import Pairing
from workflows.rosters.models import RosterEntry


def test_s10_seeded_first_helpers_come_from_accepted_rosters(db):
    from backend.bangfu.seed import seed
    from backend.directory.models import UnitQuota

    stats = seed(households=300, seed=7)
    accepted = set(RosterEntry.objects.filter(roster__state="accepted").values_list("person_id", "roster__town_id"))
    pairs = set(Pairing.objects.values_list("first_helper_id", "household__village__town_id"))
    assert pairs and pairs <= accepted
    per_roster = Counter(RosterEntry.objects.values_list("roster__unit_id", "roster__town_id"))
    assert per_roster == {(q.unit_id, q.town_id): q.count for q in UnitQuota.objects.all()}
    assert stats.extra["rosters"] == len(per_roster)


# -- the workflow, through the API --------------------------------------------------------------------------

def entries_body(world, people=None):
    return {"entries": [{"person": p.pk, "position": "科员", "phone": "13905350001" if i == 0 else ""}
                        for i, p in enumerate(people if people is not None else world.roster_people)]}


def open_draft(world):
    response = world.client("unit_liaison").post("/api/v1/rosters/", {"town": world.town2.pk}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_s10_unit_fills_its_draft_and_phones_are_encrypted_and_masked(world):
    roster = open_draft(world)
    assert (roster["state"], roster["year"], roster["cutoff"], roster["quota"]) == ("draft", 2018, "2018-03-21", 2)
    put = world.client("unit_liaison").put(f"/api/v1/rosters/{roster['id']}/entries/", entries_body(world),
                                           format="json")
    assert put.status_code == 200, put.json()
    phones = [e["phone"] for e in put.json()["entries"]]
    assert phones[0] == "139****0001" and "*" in phones[1]
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT phone FROM rosters_rosterentry")
        stored = [row[0] for row in cur.fetchall()]
    assert all(value.startswith("v1:") and "13905350001" not in value for value in stored)
    assert RosterEntry.objects.get(person=world.roster_people[0]).phone == "13905350001"


def test_s10_submit_refuses_a_count_other_than_the_quota_naming_both_numbers(world):
    roster = open_draft(world)
    client = world.client("unit_liaison")
    client.put(f"/api/v1/rosters/{roster['id']}/entries/", entries_body(world, world.roster_people[:1]), format="json")
    response = client.post(f"/api/v1/rosters/{roster['id']}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "名单人数为1人" in response.json()["message"] and "2人不一致" in response.json()["message"]
    assert response.json()["fields"]["entries"]


def test_s10_entries_must_be_the_units_party_member_cadres(world):
    from backend.directory.models import HelperCategory
    from tests.factories import PersonFactory

    roster = open_draft(world)
    outsider = PersonFactory(organisation=world.cast.town, helper_category=HelperCategory.TOWN_CADRE)
    non_member = PersonFactory(organisation=world.cast.unit, party_member=False, name="钱亮")
    client = world.client("unit_liaison")
    bad = client.put(f"/api/v1/rosters/{roster['id']}/entries/", entries_body(world, [outsider, non_member]),
                     format="json").json()
    assert bad["code"] == "validation_failed"
    assert "不是" in bad["fields"]["entries[0]"][0] and "党员" in bad["fields"]["entries[1]"][0]
    twice = client.put(f"/api/v1/rosters/{roster['id']}/entries/",
                       entries_body(world, [world.roster_people[0]] * 2), format="json").json()
    assert "重复" in twice["fields"]["entries[1]"][0]
    # Someone already on the unit's roster for another town cannot be listed twice in the campaign.
    taken = client.put(f"/api/v1/rosters/{roster['id']}/entries/",
                       entries_body(world, [world.cast.first_helper, world.roster_people[0]]), format="json").json()
    assert "已在报送城港路街道的名单上" in taken["fields"]["entries[0]"][0]


def test_s10_a_submission_after_the_cutoff_is_late_and_on_time_is_not(world):
    from workflows.rosters import services

    world.travel_to(datetime.date(2018, 3, 21), hour=23)  # the cutoff's last hour, in the tenant's zone
    roster = world.roster("submitted")
    assert roster.late is False
    services.return_to_unit(actor=world.actor("town2_office"), roster=roster, reason="号码错误")
    services.revise(actor=world.actor("unit_liaison"), roster=roster)
    world.travel_to(datetime.date(2018, 3, 22), hour=0)
    services.submit(actor=world.actor("unit_liaison"), roster=roster)
    roster.refresh_from_db()
    assert roster.late is True and roster.submitted_at.date() == datetime.date(2018, 3, 21)  # 00:00 +08 is UTC 16:00


def test_s10_return_needs_a_reason_and_tells_the_unit(world):
    from notifications.models import Notification

    roster = world.roster("submitted")
    client = world.client("town2_office")
    empty = client.post(f"/api/v1/rosters/{roster.pk}/return/", {"reason": "  "}, format="json")
    assert empty.status_code == 400
    done = client.post(f"/api/v1/rosters/{roster.pk}/return/", {"reason": "第二人电话空号"}, format="json")
    assert done.json()["state"] == "returned" and done.json()["return_reason"] == "第二人电话空号"
    sent = Notification.objects.get(kind="roster_returned")
    assert sent.user == world.cast.users["unit_liaison"]
    assert "第二人电话空号" in sent.body and "文昌路街道" in sent.body


def test_s10_acceptance_makes_the_listed_people_first_helpers_of_that_town(world):
    import pytest

    from backend.common.errors import NotEligible
    from tests.factories import HouseholdFactory
    from workflows.pairings import services as pairings
    from workflows.rosters import services as rosters

    roster = world.roster("submitted")
    household = HouseholdFactory(village=world.village2)
    second = world.cast.second_helper.__class__.objects.create(
        tenant=world.cast.tenant, organisation=world.town2, name="刘洋", helper_category="town_cadre")
    town2 = world.actor("town2_office")
    with pytest.raises(NotEligible, match="不在.*已接收的第一帮扶责任人名单上"):
        pairings.assign(actor=town2, household=household, first_helper=world.roster_people[0], second_helper=second,
                        on=datetime.date(2018, 3, 23))
    rosters.accept(actor=town2, roster=roster)
    pairing = pairings.assign(actor=town2, household=household, first_helper=world.roster_people[0],
                              second_helper=second, on=datetime.date(2018, 3, 23))
    assert pairing.state == "proposed"
    # On the roster of one town does not make a helper available in another.
    with pytest.raises(NotEligible, match="城港路街道"):
        pairings.assign(actor=world.actor("town_office"), household=HouseholdFactory(village=world.cast.village),
                        first_helper=world.roster_people[1], second_helper=world.cast.second_helper,
                        on=datetime.date(2018, 3, 23))


def test_s10_only_a_draft_can_be_edited_and_only_by_its_unit(world):
    roster = world.roster("submitted")
    locked = world.client("unit_liaison").put(f"/api/v1/rosters/{roster.pk}/entries/", entries_body(world),
                                              format="json")
    assert locked.status_code == 409 and "只有草稿可以修改" in locked.json()["message"]
    town = world.client("town2_office").put(f"/api/v1/rosters/{roster.pk}/entries/", entries_body(world),
                                            format="json")
    assert town.status_code == 403


def test_s10_overdue_allocations_after_the_cutoff(world):
    from workflows.rosters.selectors import overdue

    roster = world.roster("draft")
    assert overdue(world.cast.tenant, datetime.date(2018, 3, 21)) == []
    # The cast's roster for its town is accepted; the one for 文昌路街道 is still a draft.
    assert [(q.unit, q.town) for q in overdue(world.cast.tenant, datetime.date(2018, 3, 22))] == [
        (world.cast.unit, world.town2)]
    from workflows.rosters import services

    services.submit(actor=world.actor("unit_liaison"), roster=roster)
    assert overdue(world.cast.tenant, datetime.date(2018, 3, 22)) == []


def test_s10_a_cutoff_on_a_holiday_moves_to_the_next_workday_as_the_engine_judges(world):
    """National Day 2018: 10-01..10-07 were holidays, 10-08 the first workday (as chinesecalendar knows)."""
    from backend.tenancy.models import Policy
    from workflows.rosters import services

    Policy.objects.create(tenant=world.cast.tenant, roster_cutoff=datetime.date(2018, 10, 1),
                          in_place_cutoff=datetime.date(2018, 10, 9), note="国庆节截止")
    world.travel_to(datetime.date(2018, 10, 8))
    roster = world.roster("submitted")
    assert roster.cutoff == datetime.date(2018, 10, 1) and roster.late is False
    services.return_to_unit(actor=world.actor("town2_office"), roster=roster, reason="补充电话")
    services.revise(actor=world.actor("unit_liaison"), roster=roster)
    world.travel_to(datetime.date(2018, 10, 9))
    services.submit(actor=world.actor("unit_liaison"), roster=roster)
    roster.refresh_from_db()
    assert roster.late is True
