"""S7 replacements (更换备案): filed with the city office; accepted with enough notice, or urgently for a listed
special reason; on the effective date the old pairing ends and the new one is active in one transaction. A
helper change made any other way is recorded as unfiled against the responsible unit."""

import datetime as dt

import pytest

from backend.common.errors import CapacityExceeded, Conflict, ValidationFailed
from tests.workflows.conftest import TODAY
from workflows.accountability.models import Miss
from workflows.accountability.selectors import responsible_unit
from workflows.core.models import TransitionLog
from workflows.pairings import services as pairings
from workflows.pairings.models import Pairing
from workflows.replacements import services
from workflows.replacements.models import Replacement


def file(world, reason_code="transfer", days=61, new_helper=None, role="town_office", pairing=None):
    return services.file(actor=world.actor(role), pairing=pairing or world.pairing(), side="first",
                         new_helper=new_helper or world.first_helper(), reason_code=reason_code,
                         effective_on=TODAY + dt.timedelta(days=days), reason="说明")


def test_s7_enough_notice_is_accepted_and_takes_effect_on_the_effective_date(world):
    r = file(world, days=60)  # filing date + 60 days exactly
    services.accept(actor=world.actor("city_office"), replacement=r)
    assert (r.state, r.urgent) == ("accepted", False)
    assert services.take_effect_due(tenant=world.cast.tenant) == 0  # not yet
    world.travel_to(r.effective_on)
    assert services.take_effect_due(tenant=world.cast.tenant) == 1
    assert services.take_effect_due(tenant=world.cast.tenant) == 0  # twice changes nothing
    r.refresh_from_db()
    old, new = Pairing.objects.get(pk=r.pairing_id), r.new_pairing
    assert (old.state, old.end_reason, old.ended_on, old.replaced_by_filing) == ("ended", "replaced", r.effective_on, True)
    assert (new.state, new.first_helper, new.second_helper) == ("active", r.new_helper, old.second_helper)
    assert (new.proposed_on, new.met_on, new.late) == (r.effective_on, r.effective_on, False)
    assert r.state == "effective" and not Miss.objects.exists()
    assert TransitionLog.objects.for_object(r).last().data == {"new_pairing": new.pk}


def test_s7_short_notice_is_refused_unless_a_special_reason_then_urgent(world):
    r = file(world, reason_code="work_needs", days=59)
    with pytest.raises(ValidationFailed, match="早于备案日期2018-04-10后60天（2018-06-09）.*工作需要.*不属于可紧急更换的特殊情形"):
        services.accept(actor=world.actor("city_office"), replacement=r)
    services.reject(actor=world.actor("city_office"), replacement=r, reason="提前期不足")
    urgent = file(world, reason_code="death", days=2, pairing=r.pairing, new_helper=r.new_helper)
    services.accept(actor=world.actor("city_office"), replacement=urgent)
    assert urgent.urgent and urgent.state == "accepted"


def test_s7_urgent_replacement_due_today_takes_effect_at_acceptance(world):
    r = file(world, reason_code="serious_illness", days=0)
    services.accept(actor=world.actor("city_office"), replacement=r, reason="原帮扶责任人住院治疗")
    r.refresh_from_db()
    assert r.state == "effective" and r.urgent and r.new_pairing.state == "active"


def test_s7_special_reasons_are_policy_data(world):
    from backend.tenancy.models import Policy

    Policy.objects.create(tenant=world.cast.tenant, replacement_special_reasons=["death"], note="仅去世可紧急更换")
    r = file(world, reason_code="transfer", days=5)
    with pytest.raises(ValidationFailed):
        services.accept(actor=world.actor("city_office"), replacement=r)


def test_s7_one_live_filing_per_pairing_and_the_new_helper_must_be_eligible(world):
    from backend.common.errors import NotEligible
    from tests.factories import PersonFactory

    r = file(world)
    with pytest.raises(Conflict, match="已有待审核"):
        file(world, pairing=r.pairing, new_helper=r.new_helper)
    services.reject(actor=world.actor("city_office"), replacement=r, reason="暂缓")
    with pytest.raises(NotEligible, match="党员"):
        file(world, pairing=r.pairing, new_helper=PersonFactory(organisation=world.cast.unit, party_member=False))
    with pytest.raises(ValidationFailed, match="不能早于备案日期"):
        file(world, pairing=r.pairing, new_helper=r.new_helper, days=-1)


def test_s7_capacity_still_holds_when_it_takes_effect(world):
    from tests.factories import HouseholdFactory

    busy = world.first_helper()
    pairings.assign(actor=world.actor("town_office"), household=HouseholdFactory(village=world.cast.village),
                    first_helper=busy, second_helper=world.cast.second_helper, on=dt.date(2018, 3, 19))
    r = file(world, new_helper=busy)
    services.accept(actor=world.actor("city_office"), replacement=r)
    world.travel_to(r.effective_on)
    with pytest.raises(CapacityExceeded):
        services.take_effect(actor=world.actor("city_office"), replacement=r)
    r.refresh_from_db()
    assert r.state == "accepted" and Pairing.objects.get(pk=r.pairing_id).state == "active"  # nothing half-done


def test_s7_a_unit_liaison_files_for_its_own_helpers_only(world):
    r = file(world, role="unit_liaison")
    assert r.state == "filed"
    response = world.client("unit_liaison").post("/api/v1/replacements/", {
        "pairing": r.pairing_id, "side": "second", "new_helper": world.cast.second_helper.pk,
        "reason_code": "transfer", "effective_on": "2018-07-01"}, format="json")
    assert response.status_code == 403


def test_s7_ending_as_replaced_without_filing_is_recorded_against_the_unit(world):
    p = world.pairing()
    pairings.end(actor=world.actor("town_office"), pairing=p, on=TODAY, reason_code="replaced")
    miss = Miss.objects.get()
    assert (miss.kind, miss.organisation, miss.person, miss.household) == (
        "unfiled_replacement", world.cast.unit, None, world.cast.household)
    assert responsible_unit(world.cast.household) == world.cast.unit


def test_s7_re_pairing_with_another_helper_soon_after_an_early_end_is_unfiled(world):
    p = world.pairing()
    town = world.actor("town_office")
    pairings.end(actor=town, pairing=p, on=TODAY, reason_code="household_exited")
    assert not Miss.objects.exists()
    pairings.assign(actor=town, household=world.cast.household, first_helper=world.first_helper(),
                    second_helper=world.cast.second_helper, on=TODAY + dt.timedelta(days=3))
    miss = Miss.objects.get()
    assert miss.kind == "unfiled_replacement" and miss.pairing == p and "未经备案" in miss.evidence["detail"]


def test_s7_replacement_api_and_its_log(world):
    p = world.pairing()
    new = world.first_helper()
    created = world.client("town_office").post("/api/v1/replacements/", {
        "pairing": p.pk, "new_helper": new.pk, "reason_code": "death", "effective_on": "2018-04-12",
        "reason": "原帮扶责任人因病去世"}, format="json")
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    accepted = world.client("city_office").post(f"/api/v1/replacements/{rid}/accept/", {"reason": "同意"},
                                                format="json").json()
    assert (accepted["state"], accepted["urgent"]) == ("accepted", True)
    log = world.client("city_office").get(f"/api/v1/audit/?object_type=replacements&object_id={rid}").json()
    assert [row["transition"] for row in log["results"]] == ["create", "accept"]
    assert Replacement.objects.get().urgent


def test_s7_the_scheduled_job_makes_due_replacements_take_effect(world):
    from django_celery_beat.models import PeriodicTask

    from workers.schedule import install
    from workers.workflow_tasks import replacements_take_effect

    install()
    assert PeriodicTask.objects.get(task="workflows.replacements_take_effect").interval.every == 3600
    r = world.replacement("due")
    assert replacements_take_effect() == 1 and replacements_take_effect() == 0
    r.refresh_from_db()
    assert r.state == "effective"
