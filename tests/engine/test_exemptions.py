"""SPEC §5: windows covered by an approved exemption (leave, hospitalisation, household away) are not judged.
The town office approves; the API answers in Chinese and never shows another tenant's or town's rows."""

from __future__ import annotations

import pytest

from backend.fieldwork.models import Channel
from tests.factories import HouseholdFactory, OrganisationFactory, VillageFactory
from workflows.accountability.models import Miss, MissState
from workflows.engine import exemptions
from workflows.engine.coverage import covers
from workflows.engine.models import Exemption, ExemptionState

from .conftest import D, enforce, keep_up, paired

NO_MAY_VISIT = (("first", Channel.IN_PERSON, 5),)
MAY_1, JUNE_30 = D(2018, 5, 1), D(2018, 6, 30)


def exempt(cast, *, person=None, household=None, start=MAY_1, end=JUNE_30, approve=True):
    exemption = exemptions.request(actor=cast.actor("town_office"), person=person, household=household,
                                   start_on=start, end_on=end, reason_code="hospitalisation", reason="住院治疗")
    if approve:
        exemption = exemptions.approve(actor=cast.actor("town_office"), exemption=exemption)
    return exemption


def visit_misses(cast):
    return list(Miss.objects.filter(tenant=cast.tenant, kind="visit").values_list("pairing_id", "state"))


def test_s5_an_approved_exemption_of_the_helper_prevents_the_miss(cast):
    p = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT)
    exempt(cast, person=p.first_helper, start=D(2018, 4, 20), end=D(2018, 7, 3))
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == []


def test_s5_an_exemption_of_the_household_covers_both_helpers(cast):
    p = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT + (("second", Channel.IN_PERSON, 6),))
    exempt(cast, household=p.household)
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == []


@pytest.mark.parametrize("how", ["requested only", "rejected", "partly covering", "another helper"])
def test_s5_other_exemptions_do_not_prevent_the_miss(cast, how):
    p = paired(cast)
    other = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT)
    keep_up(other)
    if how == "requested only":
        exempt(cast, person=p.first_helper, approve=False)
    elif how == "rejected":
        exemptions.reject(actor=cast.actor("town_office"), reason="材料不全",
                          exemption=exempt(cast, person=p.first_helper, approve=False))
    elif how == "partly covering":
        exempt(cast, person=p.first_helper, start=D(2018, 6, 1), end=D(2018, 6, 30))
    else:
        exempt(cast, person=other.first_helper)
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == [(p.pk, MissState.RECORDED)]


def test_s5_an_approval_after_judging_withdraws_the_covered_miss(cast):
    p = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT)
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == [(p.pk, MissState.RECORDED)]
    exempt(cast, person=p.first_helper)
    miss = Miss.objects.get(kind="visit")
    assert miss.state == MissState.WITHDRAWN and "已批准免于考核" in miss.withdrawn_reason
    assert not Miss.objects.filter(pk=miss.pk).counting().exists()


@pytest.mark.parametrize(("first", "second"), [("person", "person"), ("person", "household")])
def test_s5_exemptions_back_to_back_cover_a_window_together(cast, first, second):
    p = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT)
    subject = {"person": {"person": p.first_helper}, "household": {"household": p.household}}
    exempt(cast, **subject[first], start=MAY_1, end=D(2018, 5, 31))
    exempt(cast, **subject[second], start=D(2018, 6, 1), end=JUNE_30)
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == []


def test_s5_a_day_between_two_exemptions_leaves_the_window_judged(cast):
    p = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT)
    exempt(cast, person=p.first_helper, start=MAY_1, end=D(2018, 5, 30))
    exempt(cast, person=p.first_helper, start=D(2018, 6, 1), end=JUNE_30)
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == [(p.pk, MissState.RECORDED)]


def test_s5_the_approval_that_completes_the_cover_withdraws_the_miss(cast):
    p = paired(cast)
    keep_up(p, skip=NO_MAY_VISIT)
    enforce(cast, D(2018, 7, 6))
    exempt(cast, person=p.first_helper, start=MAY_1, end=D(2018, 5, 31))
    assert visit_misses(cast) == [(p.pk, MissState.RECORDED)]  # June was still the helper's
    exempt(cast, household=p.household, start=D(2018, 6, 1), end=JUNE_30)
    assert visit_misses(cast) == [(p.pk, MissState.WITHDRAWN)]


@pytest.mark.parametrize(("spans", "expected"), [
    ([], False),
    ([(D(2018, 5, 1), D(2018, 6, 30))], True),
    ([(D(2018, 4, 1), D(2018, 7, 31))], True),
    ([(D(2018, 6, 1), D(2018, 6, 30)), (D(2018, 5, 1), D(2018, 5, 31))], True),
    ([(D(2018, 5, 2), D(2018, 6, 30))], False),
    ([(D(2018, 5, 1), D(2018, 6, 29))], False),
    ([(D(2018, 5, 1), D(2018, 5, 20)), (D(2018, 5, 10), D(2018, 6, 10)), (D(2018, 6, 11), D(2018, 6, 30))], True),
    ([(D(2018, 5, 1), D(2018, 5, 30)), (D(2018, 6, 1), D(2018, 6, 30))], False),
])
def test_covers_needs_every_day_of_the_window(spans, expected):
    assert covers(spans, MAY_1, JUNE_30) is expected


def test_exemption_checks_its_fields_in_chinese(cast):
    p = paired(cast)
    client = cast.client("town_office")
    body = {"person": p.first_helper_id, "start_on": "2018-06-30", "end_on": "2018-05-01", "reason_code": "leave",
            "reason": ""}
    response = client.post("/api/v1/exemptions/", body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["fields"]["end_on"] == ["截止日期2018-05-01早于起始日期2018-06-30。"]
    assert data["fields"]["reason"] == ["请说明免于考核的具体情况。"]
    both = client.post("/api/v1/exemptions/", {**body, "household": p.household_id, "start_on": "2018-05-01",
                                                "end_on": "2018-06-30", "reason": "住院"}, format="json")
    assert both.status_code == 400 and "二者选其一" in both.json()["message"]


def test_exemption_api_request_by_helper_approve_by_town_office(cast):
    p = paired(cast, first=cast.first_helper)
    helper = cast.client("first_helper")
    created = helper.post("/api/v1/exemptions/", {"person": cast.first_helper.pk, "start_on": "2018-05-01",
                                                   "end_on": "2018-06-30", "reason_code": "leave",
                                                   "reason": "脱产学习两个月"}, format="json")
    assert created.status_code == 201, created.json()
    row = created.json()
    assert (row["state"], row["town"], row["person_name"]) == ("requested", cast.town.pk, "李明")
    refused = helper.post(f"/api/v1/exemptions/{row['id']}/approve/", {}, format="json")
    assert refused.status_code == 403
    approved = cast.client("town_office").post(f"/api/v1/exemptions/{row['id']}/approve/", {"reason": "情况属实"},
                                                format="json")
    assert approved.status_code == 200 and approved.json()["state_label"] == "已批准"
    again = cast.client("town_office").post(f"/api/v1/exemptions/{row['id']}/approve/", {}, format="json")
    assert again.status_code == 409 and "已批准" in again.json()["message"]
    revoke = cast.client("city_office").post(f"/api/v1/exemptions/{row['id']}/revoke/", {}, format="json")
    assert revoke.status_code == 400 and revoke.json()["fields"]["reason"] == ["撤销须说明理由。"]
    keep_up(p, skip=NO_MAY_VISIT)
    enforce(cast, D(2018, 7, 6))
    assert visit_misses(cast) == []
    assert Exemption.objects.get().state == ExemptionState.APPROVED


def test_exemption_scope_other_town_and_other_tenant_are_404(cast, other):
    mine = exempt(cast, person=paired(cast).first_helper, approve=False)
    theirs = exempt(other, person=paired(other).first_helper, approve=False)
    elsewhere_town = OrganisationFactory(tenant=cast.tenant, kind="town", code="370683999")
    household = HouseholdFactory(village=VillageFactory(tenant=cast.tenant, town=elsewhere_town))
    far = exemptions.request(actor=cast.actor("city_office"), household=household, start_on=D(2018, 5, 1),
                             end_on=D(2018, 5, 31), reason_code="household_away", reason="外出务工")
    town = cast.client("town_office")
    listed = {r["id"] for r in town.get("/api/v1/exemptions/").json()["results"]}
    assert listed == {mine.pk}
    for pk in (theirs.pk, far.pk):
        assert town.get(f"/api/v1/exemptions/{pk}/").status_code == 404
        assert town.post(f"/api/v1/exemptions/{pk}/approve/", {}, format="json").status_code == 404
    city = {r["id"] for r in cast.client("city_office").get("/api/v1/exemptions/").json()["results"]}
    assert city == {mine.pk, far.pk}
    foreign = town.post("/api/v1/exemptions/", {"household": theirs.person.first_pairings.get().household_id,
                                                 "start_on": "2018-05-01", "end_on": "2018-05-31",
                                                 "reason_code": "leave", "reason": "外出"}, format="json")
    assert foreign.status_code == 400 and "不在您的管辖范围内" in foreign.json()["message"]


def test_exemption_a_town_office_cannot_request_for_another_towns_household(cast):
    from backend.common.errors import Forbidden

    elsewhere_town = OrganisationFactory(tenant=cast.tenant, kind="town", code="370683998")
    household = HouseholdFactory(village=VillageFactory(tenant=cast.tenant, town=elsewhere_town))
    with pytest.raises(Forbidden):
        exemptions.request(actor=cast.actor("town_office"), household=household, start_on=D(2018, 5, 1),
                           end_on=D(2018, 5, 31), reason_code="household_away", reason="外出务工")
