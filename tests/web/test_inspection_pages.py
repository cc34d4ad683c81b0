"""Inspections (S13, S17): plan a random sample, record findings with errors next to their fields, complete
(an unconfirmed visit becomes a miss), and see presence and satisfaction on the dashboard."""

from __future__ import annotations

import re

from workflows.accountability.models import Miss
from workflows.inspections.models import Finding, Inspection
from workflows.pairings import services as pairings

from .helpers import current_policy, signed_in, text, today


def test_s13_inspection_from_sample_to_findings_to_misses(cast):
    current_policy(cast)
    now = today(cast.tenant)
    p = pairings.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                        second_helper=cast.second_helper, on=now)
    pairings.activate(actor=cast.actor("town_office"), pairing=p, met_on=now)
    city = signed_in(cast, "city_office")
    response = city.post("/inspections/", {"kind": "phone", "planned_on": now.isoformat(), "sample_size": "1"})
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    finding = Finding.objects.get()
    prefix = f"f{finding.pk}"
    missing = city.post(f"/inspections/{inspection.pk}/", {"action": "record", "finding": finding.pk,
                                                           f"{prefix}-contacted": "yes"})
    assert missing.status_code == 422
    assert re.search(rf'<label for="id_{prefix}-helper_in_place">帮扶责任人到位</label>.*?<p class="error"[^>]*>张德福户：请填写',
                     text(missing))
    city.post(f"/inspections/{inspection.pk}/", {
        "action": "record", "finding": finding.pk, f"{prefix}-contacted": "yes", f"{prefix}-helper_in_place": "yes",
        f"{prefix}-visits_confirmed": "no", f"{prefix}-knows_helper_name": "yes",
        f"{prefix}-satisfaction": "dissatisfied"})
    assert city.post(f"/inspections/{inspection.pk}/", {"action": "conduct"}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == "conducted"
    assert Miss.objects.filter(kind="visit_not_confirmed", person=cast.first_helper).exists()
    page = text(city.get("/city/"))
    assert "满意度（督导检查和电话调查，1户）" in page and re.search(r'data-label="城港路街道" data-value="0"', page)
    refused = city.post(f"/inspections/{inspection.pk}/", {"action": "close", "summary": ""})
    assert refused.status_code == 422 and "请填写检查结论" in text(refused)


def test_inspections_are_the_city_offices(cast):
    assert signed_in(cast, "town_office").get("/inspections/").status_code == 403


def _paired(cast, household, first=None, on=None):
    from tests import factories as f

    first = first or cast.first_helper
    if first != cast.first_helper:
        f.put_on_roster(first, household.village.town)
    p = pairings.assign(actor=cast.actor("city_office"), household=household, first_helper=first,
                        second_helper=cast.second_helper, on=on or today(cast.tenant))
    return p


def _chosen_world(cast):
    """The cast's household (helped by the 财政局) plus one in a second village helped by a second unit, and one
    exited household that is no longer helped."""
    from tests import factories as f

    current_policy(cast)
    village2 = f.VillageFactory(tenant=cast.tenant, town=cast.town, code="370683004002", name="东关村")
    unit2 = f.OrganisationFactory(tenant=cast.tenant, kind="unit", code="gtj", name="莱州市国土局")
    f.QuotaFactory(unit=unit2, town=cast.town, count=2)
    other_first = f.PersonFactory(organisation=unit2, name="赵强")
    east = f.HouseholdFactory(village=village2, head_name="刘桂兰")
    exited = f.HouseholdFactory(village=cast.village, head_name="孙长海", status="4")
    _paired(cast, cast.household)
    _paired(cast, east, first=other_first)
    return {"east": east, "exited": exited, "unit2": unit2, "village2": village2}


def test_s13_chosen_households_searched_and_planned(cast, other):
    world = _chosen_world(cast)
    from tests import factories as f

    stranger = f.HouseholdFactory(village=other.village, head_name="刘外市")
    city = signed_in(cast, "city_office")
    page = text(city.get("/inspections/"))
    assert 'name="method" value="chosen"' in page and 'id="household-q"' in page
    htmx = {"HTTP_HX_REQUEST": "true"}
    found = text(city.get("/inspections/households/", {"q": "东关"}, **htmx))
    assert f'value="{world["east"].pk}"' in found and "刘桂兰" in found and "赵强（莱州市国土局）" in found
    assert f'value="{cast.household.pk}"' not in found
    by_name = text(city.get("/inspections/households/", {"q": "刘"}, **htmx))
    assert "刘桂兰" in by_name and "刘外市" not in by_name  # another tenant's household never shows
    assert str(stranger.phone) not in by_name and "139" not in by_name  # masked: no phone at all
    by_town = text(city.get("/inspections/households/", {"q": "城港路"}, **htmx))
    assert "张德福" in by_town and "刘桂兰" in by_town and "孙长海" not in by_town  # exited: not helped this year
    by_unit = text(city.get("/inspections/households/", {"q": "", "unit": world["unit2"].pk}, **htmx))
    assert "刘桂兰" in by_unit and "张德福" not in by_unit
    less_chosen = text(city.get("/inspections/households/", {"q": "城港路", "households": [cast.household.pk]},
                                **htmx))
    assert "张德福" not in less_chosen and "刘桂兰" in less_chosen
    none = text(city.get("/inspections/households/", {"q": "无此人"}, **htmx))
    assert "没有找到符合“无此人”的贫困户" in none

    response = city.post("/inspections/", {"kind": "on_site", "planned_on": today(cast.tenant).isoformat(),
                                           "method": "chosen", "households": [world["east"].pk, cast.household.pk]})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inspections/{inspection.pk}/"
    assert (inspection.method, inspection.seed, inspection.sample_size) == ("chosen", None, 2)
    rows = list(inspection.findings.order_by("order").values_list("household__head_name", "unit__name"))
    assert rows == [("刘桂兰", "莱州市国土局"), ("张德福", "莱州市财政局")]
    detail = text(city.get(response["Location"]))
    assert "指定户2户" in detail and "已指定2户贫困户进行检查" in detail


def _field_error(page: str, message: str) -> bool:
    return re.search(rf'<fieldset class="field choose invalid" id="choose-households".*?<p class="error" '
                     rf'id="id_households-error">{message}', page) is not None


def test_s13_chosen_households_refused_next_to_the_field(cast, other):
    world = _chosen_world(cast)
    city = signed_in(cast, "city_office")
    now = today(cast.tenant).isoformat()

    def plan(**extra):
        return city.post("/inspections/", {"kind": "phone", "planned_on": now, "method": "chosen", **extra})

    nothing = plan()
    assert nothing.status_code == 422 and _field_error(text(nothing), "请选择要检查的贫困户。")
    foreign = plan(households=[other.household.pk])
    assert foreign.status_code == 422 and _field_error(text(foreign), "所选贫困户不存在。")
    garbage = plan(households=["x1"])
    assert garbage.status_code == 422 and _field_error(text(garbage), "所选贫困户不存在。")
    exited = plan(households=[world["exited"].pk])
    assert exited.status_code == 422 and _field_error(
        text(exited), f"孙长海户不在{today(cast.tenant).year}年帮扶对象范围内（已脱贫或已注销）。")
    from tests import factories as f

    town2 = f.OrganisationFactory(tenant=cast.tenant, kind="town", code="370683005", name="三山岛街道", unit_kind="")
    wrong_town = plan(households=[cast.household.pk], towns=[town2.pk])
    assert wrong_town.status_code == 422 and _field_error(text(wrong_town), "张德福户不在所选镇街范围内。")
    wrong_unit = plan(households=[cast.household.pk, world["east"].pk], unit=world["unit2"].pk)
    page = text(wrong_unit)
    assert wrong_unit.status_code == 422 and _field_error(page, "张德福户的第一帮扶责任人不属于所选部门单位。")
    # what was chosen stays chosen (ticked) for the next try
    assert re.search(rf'id="chosen-households">.*value="{cast.household.pk}" checked.*value="{world["east"].pk}" checked',
                     page)
    assert Inspection.objects.count() == 0
    by_unit = plan(households=[world["east"].pk], unit=world["unit2"].pk)
    assert by_unit.status_code == 302
    assert list(Inspection.objects.get().units.values_list("name", flat=True)) == ["莱州市国土局"]


def test_s13_random_sample_still_limited_to_a_unit(cast):
    world = _chosen_world(cast)
    city = signed_in(cast, "city_office")
    response = city.post("/inspections/", {"kind": "phone", "planned_on": today(cast.tenant).isoformat(),
                                           "method": "random", "sample_size": "1", "unit": world["unit2"].pk,
                                           "households": [cast.household.pk]})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.method, inspection.population) == ("random", 1)
    assert list(inspection.findings.values_list("household_id", flat=True)) == [world["east"].pk]


def test_household_search_is_the_city_offices(cast):
    current_policy(cast)
    assert signed_in(cast, "town_office").get("/inspections/households/", {"q": "张"}).status_code == 403
