"""S1 scope, S2/S3 eligibility and capacity, activation at the in-place cutoff (S10)."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from backend.common.errors import CapacityExceeded, NotEligible
from backend.directory.models import HelperCategory
from backend.tenancy.scoping import Actor
from tests.conftest import PAIRED_ON, build_cast
from tests.factories import HouseholdFactory, PersonFactory, put_on_roster
from workflows.core.models import TransitionLog
from workflows.pairings import services
from workflows.pairings.models import Pairing


def assign(cast, household=None, first=None, second=None, role="town_office", on=PAIRED_ON):
    return services.assign(actor=cast.actor(role), household=household or cast.household,
                           first_helper=first or cast.first_helper, second_helper=second or cast.second_helper, on=on)


def household(cast, **kw):
    return HouseholdFactory(village=cast.village, **kw)


def rostered(cast):
    """Another first helper of the cast's unit, on its accepted roster for the cast's town."""
    person = PersonFactory(organisation=cast.unit)
    put_on_roster(person, cast.town)
    return person


def test_s1_scope_households_outside_scope_cannot_be_paired(cast):
    exited = household(cast, status="4")  # 已脱贫（不再享受政策）
    with pytest.raises(NotEligible, match="不属于帮扶对象"):
        assign(cast, household=exited)
    old_unexited = household(cast, status="0", identified_year=2016)
    with pytest.raises(NotEligible):
        assign(cast, household=old_unexited)


@pytest.mark.parametrize("status,year", [("1", 2015), ("3", 2014), ("0", 2018)])
def test_s1_scope_covers_exited_with_policy_returned_and_newly_identified(cast, status, year):
    assert assign(cast, household=household(cast, status=status, identified_year=year)).state == "proposed"


def test_s2_first_helper_must_be_a_party_member_of_a_unit(cast):
    non_member = PersonFactory(organisation=cast.unit, party_member=False)
    with pytest.raises(NotEligible, match="党员"):
        assign(cast, first=non_member)
    with pytest.raises(NotEligible):
        assign(cast, first=PersonFactory(organisation=cast.town, helper_category=HelperCategory.TOWN_CADRE))


def test_s3_second_helper_must_be_town_village_cadre_or_deputy_of_that_town(cast):
    with pytest.raises(NotEligible, match="第二帮扶责任人"):
        assign(cast, second=PersonFactory(organisation=cast.unit))
    elsewhere = PersonFactory(organisation__tenant=cast.tenant, organisation__kind="town", organisation__unit_kind="",
                              helper_category=HelperCategory.TOWN_CADRE)
    with pytest.raises(NotEligible, match="不属于该户所在镇街"):
        assign(cast, second=elsewhere)
    deputy = PersonFactory(organisation=cast.town, helper_category=HelperCategory.DEPUTY, party_member=False)
    assert assign(cast, second=deputy).second_helper == deputy


def test_s2_first_helper_holds_one_household(cast):
    assign(cast)
    with pytest.raises(CapacityExceeded, match="上限1户"):
        assign(cast, household=household(cast))


def test_s3_second_helper_holds_at_most_five(cast):
    for _ in range(5):
        assign(cast, household=household(cast), first=rostered(cast))
    with pytest.raises(CapacityExceeded, match="上限5户"):
        assign(cast, household=household(cast), first=rostered(cast))


def test_ended_pairing_frees_the_slot(cast):
    pairing = assign(cast)
    services.end(actor=cast.actor("town_office"), pairing=pairing, on=dt.date(2018, 6, 1), reason_code="household_exited")
    assert assign(cast, household=household(cast)).first_slot == 1


def test_capacity_is_read_from_the_policy(cast):
    from backend.tenancy.models import Policy

    Policy.objects.create(tenant=cast.tenant, first_helper_max_households=2, note="试点两户")
    assign(cast)
    assert assign(cast, household=household(cast)).first_slot == 2


def test_s10_activation_after_in_place_cutoff_is_late(cast):
    on_time = assign(cast)
    services.activate(actor=cast.actor("town_office"), pairing=on_time, met_on=dt.date(2018, 3, 25))
    assert on_time.state == "active" and not on_time.late
    late = assign(cast, household=household(cast), first=rostered(cast))
    services.activate(actor=cast.actor("town_office"), pairing=late, met_on=dt.date(2018, 3, 27))
    assert late.late
    log = TransitionLog.objects.for_object(late).last()
    assert (log.transition, log.from_state, log.to_state) == ("activate", "proposed", "active")


def test_pairing_api_create_and_activate(cast):
    client = cast.client("town_office")
    response = client.post("/api/v1/pairings/", {"household": cast.household.pk, "first_helper": cast.first_helper.pk,
                                                 "second_helper": cast.second_helper.pk, "proposed_on": "2018-03-19"},
                           format="json")
    assert response.status_code == 201, response.json()
    pid = response.json()["id"]
    again = client.post("/api/v1/pairings/", {"household": household(cast).pk, "first_helper": cast.first_helper.pk,
                                              "second_helper": cast.second_helper.pk, "proposed_on": "2018-03-19"},
                        format="json")
    assert again.status_code == 409 and again.json()["code"] == "capacity_exceeded"
    assert "上限" in again.json()["message"]
    activated = client.post(f"/api/v1/pairings/{pid}/activate/", {"met_on": "2018-03-22"}, format="json")
    assert activated.json()["state"] == "active"
    twice = client.post(f"/api/v1/pairings/{pid}/activate/", {"met_on": "2018-03-22"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "transition_not_allowed"
    wrong_role = cast.client("unit_liaison").post(f"/api/v1/pairings/{pid}/end/",
                                                  {"on": "2018-05-01", "end_reason": "term_over"}, format="json")
    assert wrong_role.status_code == 403


def test_seeded_pairings_obey_every_rule(db):
    from backend.bangfu.seed import seed
    from backend.tenancy.models import Policy, Tenant

    seed(households=300, seed=7)
    tenant = Tenant.objects.get(code="370683")
    policy = Policy.current(tenant)
    pairings = Pairing.objects.select_related("household__village", "first_helper__organisation",
                                              "second_helper__organisation")
    assert pairings.count() > 250
    firsts, seconds = {}, {}
    for p in pairings:
        services.check_eligibility(household=p.household, first_helper=p.first_helper, second_helper=p.second_helper,
                                   policy=policy, on=p.proposed_on)
        firsts[p.first_helper_id] = firsts.get(p.first_helper_id, 0) + 1
        seconds[p.second_helper_id] = seconds.get(p.second_helper_id, 0) + 1
        assert p.met_on <= policy.in_place_cutoff
    assert max(firsts.values()) == 1 and max(seconds.values()) <= 5
    # A6: the first helpers of each (unit, town) match the unit's quota there, never more.
    from collections import Counter

    from backend.directory.models import UnitQuota

    used = Counter((p.first_helper.organisation_id, p.household.village.town_id) for p in pairings)
    quotas = {(q.unit_id, q.town_id): q.count for q in UnitQuota.objects.filter(tenant=tenant)}
    assert all(n <= quotas[key] for key, n in used.items())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_a_real_concurrent_race():
    """Eight requests assign eight households to one first helper at the same instant: exactly one wins;
    eight more race for one second helper (capacity 5): exactly five win."""
    cast = build_cast("370683", "莱州市")
    households = [household(cast) for _ in range(16)]
    firsts = [rostered(cast) for _ in range(8)]
    seconds = [PersonFactory(organisation=cast.town, helper_category=HelperCategory.TOWN_CADRE) for _ in range(8)]
    actor = Actor.system_for(cast.tenant)

    def race(jobs):
        barrier = threading.Barrier(len(jobs))
        results = []

        def run(h, first, second):
            try:
                barrier.wait()
                services.assign(actor=actor, household=h, first_helper=first, second_helper=second, on=PAIRED_ON)
                results.append("ok")
            except CapacityExceeded:
                results.append("full")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    one_first = race([(households[i], cast.first_helper, seconds[i]) for i in range(8)])
    assert one_first.count("ok") == 1 and one_first.count("full") == 7
    one_second = race([(households[8 + i], firsts[i], cast.second_helper) for i in range(8)])
    assert one_second.count("ok") == 5 and one_second.count("full") == 3
    assert Pairing.objects.filter(second_helper=cast.second_helper).count() == 5
    assert connection.vendor == "postgresql"
