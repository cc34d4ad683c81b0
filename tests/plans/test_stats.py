"""S17 measures at /api/v1/stats/: presence rate and satisfaction per town and per unit, against hand-counted
fixtures; scope (a town office sees its town) and tenants apart."""

import datetime as dt

import pytest

from backend.fieldwork import feedback
from backend.households.models import HouseholdStatus
from tests import factories as f
from workflows.inspections import services as inspections

from .conftest import another_pairing

pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture
def world(cast, pairing):
    """城港路街道 (cast.town): the cast's household and h2 in place, h3 proposed only, h4 unpaired, h5 out of scope,
    h7 in place with a first helper of 国土局. 三山岛街道: h6 paired, first meeting on 2018-06-01."""
    town2 = f.OrganisationFactory(tenant=cast.tenant, kind="town", code="370683005", name="三山岛街道", unit_kind="")
    unit2 = f.OrganisationFactory(tenant=cast.tenant, kind="unit", code="gtj", name="国土局")
    h2 = another_pairing(cast)
    h3 = another_pairing(cast, met_on=None)
    h4 = f.HouseholdFactory(village=cast.village)
    f.HouseholdFactory(village=cast.village, status=HouseholdStatus.EXITED_NO_POLICY)
    h6 = another_pairing(cast, village=f.VillageFactory(tenant=cast.tenant, town=town2, code="370683005001", name="北村"),
                         met_on=dt.date(2018, 6, 1))
    h7 = another_pairing(cast, unit=unit2)
    return {"town2": town2, "unit2": unit2, "h1": pairing, "h2": h2, "h3": h3, "h4": h4, "h6": h6, "h7": h7}


def inspect(cast, world):
    office = cast.actor("city_office")
    inspection = inspections.plan(actor=office, kind="on_site", title="回头看", planned_on=dt.date(2018, 3, 28),
                                  method="chosen", households=[world[k].household_id for k in ("h1", "h2", "h7", "h6")])
    answers = {
        world["h1"].household_id: dict(contacted=True, helper_in_place=True, visits_confirmed=True,
                                       knows_helper_name=True, satisfaction="satisfied"),
        world["h2"].household_id: dict(contacted=True, helper_in_place=False, visits_confirmed=False,
                                       knows_helper_name=False, satisfaction="dissatisfied"),
        world["h7"].household_id: dict(contacted=True, helper_in_place=True, visits_confirmed=True,
                                       knows_helper_name=True, satisfaction="basically_satisfied"),
        world["h6"].household_id: dict(contacted=False, notes="外出务工"),
    }
    for finding in inspection.findings.all():
        inspections.record(actor=office, finding=finding, **answers[finding.household_id])
    inspections.conduct(actor=office, inspection=inspection, on=dt.date(2018, 3, 30))
    return inspection


def by_name(body):
    return {row["name"]: row for row in body["rows"]}


def test_s17_presence_rate_per_town_from_records_and_inspections(cast, world):
    inspect(cast, world)
    body = cast.client("city_office").get("/api/v1/stats/presence/?year=2018").json()
    assert body["as_of"] == "2018-05-10" and body["by"] == "town"
    rows = by_name(body)
    town = rows["城港路街道"]
    assert (town["households"], town["paired"], town["in_place"], town["rate"]) == (5, 4, 3, 0.6)
    assert (town["inspected"], town["found_in_place"], town["knows_name"], town["inspected_rate"]) == (3, 2, 2, 0.6667)
    sanshan = rows["三山岛街道"]
    assert (sanshan["households"], sanshan["paired"], sanshan["in_place"], sanshan["rate"]) == (1, 1, 0, 0.0)
    assert (sanshan["inspected"], sanshan["inspected_rate"]) == (0, None)  # not reached: not counted
    assert (body["total"]["households"], body["total"]["in_place"], body["total"]["rate"]) == (6, 3, 0.5)
    later = cast.client("city_office").get("/api/v1/stats/presence/?as_of=2018-06-30").json()
    assert by_name(later)["三山岛街道"]["in_place"] == 1


def test_s17_presence_rate_per_unit(cast, world):
    inspect(cast, world)
    rows = by_name(cast.client("city_office").get("/api/v1/stats/presence/?year=2018&by=unit").json())
    czj = rows["莱州市财政局"]
    assert (czj["households"], czj["in_place"], czj["rate"]) == (4, 2, 0.5)
    assert (czj["inspected"], czj["found_in_place"], czj["inspected_rate"]) == (2, 1, 0.5)
    gtj = rows["国土局"]
    assert (gtj["households"], gtj["in_place"], gtj["rate"], gtj["inspected"], gtj["found_in_place"]) == (1, 1, 1.0, 1, 1)


def test_s17_satisfaction_per_town_and_unit_with_the_qr_page(cast, world):
    inspect(cast, world)
    feedback.rate(pairing=world["h6"], satisfaction="dissatisfied")
    feedback.rate(pairing=world["h1"], satisfaction="satisfied")
    body = cast.client("city_office").get("/api/v1/stats/satisfaction/?year=2018").json()
    rows = by_name(body)
    town = rows["城港路街道"]
    assert (town["answered"], town["satisfied"], town["basically_satisfied"], town["dissatisfied"]) == (3, 1, 1, 1)
    assert town["rate"] == 0.6667 and town["qr_satisfied"] == 1 and town["qr_dissatisfied"] == 0
    sanshan = rows["三山岛街道"]
    assert (sanshan["answered"], sanshan["rate"], sanshan["qr_dissatisfied"]) == (0, None, 1)
    units = by_name(cast.client("city_office").get("/api/v1/stats/satisfaction/?by=unit").json())
    assert (units["莱州市财政局"]["answered"], units["莱州市财政局"]["rate"]) == (2, 0.5)
    assert (units["国土局"]["answered"], units["国土局"]["rate"]) == (1, 1.0)
    liaison = cast.client("unit_liaison").get("/api/v1/stats/satisfaction/?by=unit").json()
    assert liaison["household_feedback"] is False and "qr_dissatisfied" not in liaison["rows"][0]
    assert [r["name"] for r in liaison["rows"]] == ["莱州市财政局"]


def test_s17_stats_are_scoped_and_tenant_apart(cast, other, world):
    inspect(cast, world)
    rows = cast.client("town_office").get("/api/v1/stats/presence/").json()["rows"]
    assert [r["name"] for r in rows] == ["城港路街道"] and rows[0]["households"] == 5
    assert other.client("city_office").get("/api/v1/stats/presence/").json()["rows"] == [
        {"id": other.town.pk, "code": other.town.code, "name": other.town.name, "households": 1, "paired": 0,
         "in_place": 0, "inspected": 0, "found_in_place": 0, "knows_name": 0, "rate": 0.0, "inspected_rate": None,
         "knows_name_rate": None}]
    bad = cast.client("city_office").get("/api/v1/stats/presence/?by=village")
    assert bad.status_code == 400 and bad.json()["fields"]["by"] == ["分组只能是按镇街（town）或按部门单位（unit）。"]
    bad = cast.client("city_office").get("/api/v1/stats/presence/?year=2018&as_of=2019-01-01")
    assert bad.status_code == 400 and bad.json()["fields"]["as_of"] == ["统计截止日期应在2018年内。"]
    assert cast.client("city_office").get("/api/v1/stats/").json()["presence"] == "/api/v1/stats/presence/"


def months(pairing, role, channel, *month_numbers, year=2018):
    """The per-month facts visits and calls leave (fieldwork keeps them exact; written here directly)."""
    from backend.fieldwork.models import ContactMonth

    for m in month_numbers:
        ContactMonth.objects.create(tenant=pairing.tenant, pairing=pairing, role=role, channel=channel, year=year,
                                    month=m, count=1, last_on=dt.date(year, m, 10))


@pytest.fixture
def contacts(cast, pairing):
    """p1 and p2 in 城港路 (财政局's helpers), p3 in 三山岛 (国土局's), all met on 2018-03-22. By 2018-07-10 (grace 5)
    the judged windows are: first in person May–Jun; first by phone Apr, May, Jun; second in person Apr, May, Jun
    (Jan–Feb, Mar–Apr and March are not judged: the pairings were not active for the whole window)."""
    from workflows.engine.models import Exemption

    town2 = f.OrganisationFactory(tenant=cast.tenant, kind="town", code="370683005", name="三山岛街道", unit_kind="")
    unit2 = f.OrganisationFactory(tenant=cast.tenant, kind="unit", code="gtj", name="国土局")
    p2 = another_pairing(cast)
    p3 = another_pairing(cast, unit=unit2,
                         village=f.VillageFactory(tenant=cast.tenant, town=town2, code="370683005001", name="北村"))
    months(pairing, "first", "in_person", 5)  # May–Jun met; also May's phone contact
    months(pairing, "first", "phone", 4)  # Apr met, Jun not: phone 2 of 3
    months(pairing, "second", "in_person", 4, 5, 6)  # 3 of 3
    months(p3, "first", "in_person", 6)  # in person 1 of 1; phone Jun only: 1 of 3; second 0 of 3
    # p2 has nothing; an approved leave of its first helper for April takes April's phone window out: 0 of 2.
    Exemption.objects.create(tenant=cast.tenant, person=p2.first_helper, town=cast.town, start_on=dt.date(2018, 4, 1),
                             end_on=dt.date(2018, 4, 30), reason_code="leave", reason="病假", state="approved")
    return {"p1": pairing, "p2": p2, "p3": p3, "town2": town2, "unit2": unit2}


def test_s17_visit_compliance_per_town_and_unit_hand_counted(cast, contacts):
    body = cast.client("city_office").get("/api/v1/stats/visit-compliance/?as_of=2018-07-10").json()
    rows = by_name(body)
    town = rows["城港路街道"]
    # first in person: p1 1/1, p2 0/1; phone: p1 2/3, p2 0/2; second: p1 3/3, p2 0/3 → 6 of 13
    assert (town["judged"], town["met"], town["rate"]) == (13, 6, 0.4615)
    assert {(r["role"], r["channel"]): (r["judged"], r["met"]) for r in town["rules"]} == {
        ("first", "in_person"): (2, 1), ("first", "phone"): (5, 2), ("second", "in_person"): (6, 3)}
    assert (rows["三山岛街道"]["judged"], rows["三山岛街道"]["met"]) == (7, 2)
    units = by_name(cast.client("city_office").get("/api/v1/stats/visit-compliance/?as_of=2018-07-10&by=unit").json())
    assert (units["莱州市财政局"]["judged"], units["莱州市财政局"]["met"]) == (7, 3)  # first helpers' rules only
    assert (units["国土局"]["judged"], units["国土局"]["met"], units["国土局"]["rate"]) == (4, 2, 0.5)
    early = cast.client("city_office").get("/api/v1/stats/visit-compliance/?as_of=2018-07-06").json()
    assert by_name(early)["城港路街道"]["judged"] == 13  # May–Jun and June are judged from 07-06 (grace 5)
    earlier = cast.client("city_office").get("/api/v1/stats/visit-compliance/?as_of=2018-07-05").json()
    assert by_name(earlier)["城港路街道"]["judged"] == 13 - 2 - 2 - 2


def test_s17_visit_compliance_agrees_with_the_misses_the_engine_records(cast, contacts):
    """Each judged window without a record is one miss of the engine: judged − met = misses, per town."""
    from workflows.engine.runs import enforce

    enforce(tenant=cast.tenant, as_of=dt.date(2018, 7, 10))
    body = cast.client("city_office").get("/api/v1/stats/visit-compliance/?as_of=2018-07-10").json()
    for row in body["rows"]:
        assert row["judged"] - row["met"] == row["visit_misses"] + row["call_misses"], row["name"]
    town = by_name(body)["城港路街道"]
    # visits: p2 first May–Jun, p2 second Apr, May, Jun (second helpers' visits are visits too); calls: p1 Jun, p2 May, Jun
    assert (town["visit_misses"], town["call_misses"]) == (4, 3)
    mine = cast.client("town_office").get("/api/v1/stats/visit-compliance/?as_of=2018-07-10").json()
    assert [r["name"] for r in mine["rows"]] == ["城港路街道"]
