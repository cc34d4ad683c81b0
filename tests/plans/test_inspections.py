"""S13 / S17 inspections and phone surveys: a reproducible random sample (or chosen households), findings per
household, unconfirmed visits becoming misses, 不满意 feeding the unit's level-3 escalation (through
`dissatisfied_units`, which the engine reads), households' QR-page answers shown beside the findings."""

import datetime as dt

import pytest

from backend.fieldwork import feedback
from notifications.models import Notification
from tests import factories as f
from workflows.accountability.models import Miss
from workflows.inspections import services
from workflows.inspections.models import Finding, Inspection
from workflows.inspections.selectors import dissatisfied_units

from .conftest import another_pairing, at_noon

pytestmark = pytest.mark.usefixtures("today")

FOUND_WELL = {"contacted": True, "helper_in_place": True, "visits_confirmed": True, "knows_helper_name": True,
              "satisfaction": "satisfied"}


def plan(cast, role="city_office", **extra):
    body = {"kind": "phone", "title": "2018年3月底“回头看”电话调查", "planned_on": "2018-05-10", "method": "random",
            "sample_size": 3, "seed": 20180326}
    body.update(extra)
    return cast.client(role).post("/api/v1/inspections/", body, format="json")


def findings(cast, inspection_id, role="city_office"):
    return cast.client(role).get(f"/api/v1/inspections/{inspection_id}/findings/").json()


def record(cast, inspection_id, finding_id, body, role="city_office"):
    return cast.client(role).put(f"/api/v1/inspections/{inspection_id}/findings/{finding_id}/", body, format="json")


@pytest.fixture
def population(cast, pairing):
    """Six paired households: the cast's and five more (one in a second town, helped by a second unit)."""
    town2 = f.OrganisationFactory(tenant=cast.tenant, kind="town", code="370683005", name="三山岛街道", unit_kind="")
    f.QuotaFactory(unit=cast.unit, town=town2, count=2)
    village2 = f.VillageFactory(tenant=cast.tenant, town=town2, code="370683005001", name="北村")
    pairs = [pairing] + [another_pairing(cast) for _ in range(4)] + [another_pairing(cast, village=village2)]
    return pairs


def test_s13_random_sample_is_reproducible_from_its_recorded_seed(cast, population):
    a = plan(cast).json()
    assert (a["method"], a["seed"], a["sample_size"], a["population"], a["state"]) == ("random", 20180326, 3, 6,
                                                                                      "planned")
    first = [r["household"] for r in findings(cast, a["id"])]
    assert len(set(first)) == 3 and set(first) <= {p.household_id for p in population}
    again = plan(cast).json()
    assert [r["household"] for r in findings(cast, again["id"])] == first
    drawn = [[r["household"] for r in findings(cast, plan(cast, seed=s).json()["id"])] for s in range(1, 6)]
    assert any(d != first for d in drawn)  # other seeds draw other samples
    unseeded = plan(cast, seed=None).json()
    assert isinstance(unseeded["seed"], int)
    replay = plan(cast, seed=unseeded["seed"]).json()
    assert [r["household"] for r in findings(cast, replay["id"])] == \
        [r["household"] for r in findings(cast, unseeded["id"])]


def test_s13_sample_limited_to_towns_and_units(cast, population):
    town2 = population[-1].household.village.town
    r = plan(cast, towns=[town2.pk], sample_size=1).json()
    assert r["population"] == 1 and [x["town"] for x in findings(cast, r["id"])] == [town2.pk]
    other_unit = f.OrganisationFactory(tenant=cast.tenant, kind="unit", code="gtj", name="国土局")
    r = plan(cast, units=[other_unit.pk], sample_size=1)
    assert r.status_code == 400 and r.json()["fields"]["sample_size"] == ["抽样户数1户超过抽样总体（0户已结对的帮扶对象）。"]
    r = plan(cast, towns=[cast.unit.pk])
    assert r.status_code == 400 and r.json()["fields"]["towns"] == ["所选镇街不存在。"]


def test_s13_chosen_households_and_their_snapshot(cast, population):
    target = population[2]
    r = plan(cast, method="chosen", households=[target.household_id], sample_size=None, seed=None)
    assert r.status_code == 201 and r.json()["seed"] is None and r.json()["sample_size"] == 1
    row = findings(cast, r.json()["id"])[0]
    assert (row["pairing"], row["helper"], row["unit"], row["town"]) == (
        target.pk, target.first_helper_id, cast.unit.pk, cast.town.pk)
    assert row["contacted"] is None and row["household_feedback"] is None


def test_s13_findings_must_be_complete_and_coherent(cast, population):
    inspection = plan(cast, sample_size=1).json()
    row = findings(cast, inspection["id"])[0]
    name = row["household_name"]
    r = record(cast, inspection["id"], row["id"], {**FOUND_WELL, "satisfaction": ""})
    assert r.status_code == 400 and r.json()["fields"]["satisfaction"] == [f"{name}户：请选择满意度（满意、基本满意或不满意）。"]
    r = record(cast, inspection["id"], row["id"], {**FOUND_WELL, "knows_helper_name": None})
    assert r.json()["fields"]["knows_helper_name"] == [f"{name}户：请填写“贫困户是否知道帮扶责任人姓名”。"]
    r = record(cast, inspection["id"], row["id"], {"contacted": False, "satisfaction": "satisfied"})
    assert r.json()["message"] == f"{name}户：未联系到贫困户时不能填写满意度。"
    r = record(cast, inspection["id"], row["id"], {"contacted": False})
    assert r.json()["fields"]["notes"] == [f"{name}户：未联系到贫困户，请在情况记录中说明原因。"]
    r = cast.client("city_office").post(f"/api/v1/inspections/{inspection['id']}/conduct/", {}, format="json")
    assert r.status_code == 400 and r.json()["message"] == "还有1户未记录检查结果，不能完成检查。"
    r = record(cast, inspection["id"], row["id"], {"contacted": False, "notes": "电话三次无人接听"})
    assert r.status_code == 200 and r.json()["contacted"] is False


def test_s17_unconfirmed_visits_become_misses_and_dissatisfaction_feeds_level_three(cast, population):
    inspection = plan(cast, method="chosen", households=[p.household_id for p in population[:3]]).json()
    rows = findings(cast, inspection["id"])
    answers = [FOUND_WELL,
               {**FOUND_WELL, "visits_confirmed": False, "satisfaction": "basically_satisfied", "notes": "说没见过"},
               {**FOUND_WELL, "satisfaction": "dissatisfied", "notes": "帮扶不实"}]
    for row, body in zip(rows, answers, strict=True):
        assert record(cast, inspection["id"], row["id"], body).status_code == 200
    assert dissatisfied_units(cast.tenant, 2018) == set() and not Miss.objects.exists()
    r = cast.client("city_office").post(f"/api/v1/inspections/{inspection['id']}/conduct/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "conducted" and r.json()["conducted_on"] == "2018-05-10"
    miss = Miss.objects.get()
    unconfirmed = population[1]
    assert (miss.kind, miss.source, miss.year, miss.role) == ("visit_not_confirmed", "inspection", 2018, "first")
    assert (miss.pairing, miss.person_id, miss.organisation, miss.town, miss.household_id) == (
        unconfirmed, unconfirmed.first_helper_id, cast.unit, cast.town, unconfirmed.household_id)
    assert miss.key == f"visit_not_confirmed:inspection={inspection['id']}:household={unconfirmed.household_id}"
    assert miss.evidence["notes"] == "说没见过" and miss.counts_for_ladder
    note = Notification.objects.get(kind="miss_recorded")
    assert note.person_id_ref == unconfirmed.first_helper_id and "走访未获贫困户确认" in note.body
    assert services.record_misses(Inspection.objects.get(pk=inspection["id"])) and Miss.objects.count() == 1
    assert Notification.objects.filter(kind="miss_recorded").count() == 1
    assert dissatisfied_units(cast.tenant, 2018) == {cast.unit.pk}
    r = record(cast, inspection["id"], rows[0]["id"], FOUND_WELL)
    assert r.status_code == 409 and "不能再修改检查结果" in r.json()["message"]
    r = cast.client("city_office").post(f"/api/v1/inspections/{inspection['id']}/close/", {"summary": " "},
                                        format="json")
    assert r.status_code == 400 and r.json()["fields"]["summary"] == ["请填写检查结论。"]
    r = cast.client("city_office").post(f"/api/v1/inspections/{inspection['id']}/close/",
                                        {"summary": "3户中1户不满意、1户未确认走访"}, format="json")
    assert r.json()["state"] == "closed" and dissatisfied_units(cast.tenant, 2018) == {cast.unit.pk}


def test_s13_households_qr_page_answers_appear_beside_the_findings(cast, population):
    feedback.rate(pairing=population[0], satisfaction="dissatisfied", note="很少来")
    feedback.rate(pairing=population[0], satisfaction="basically_satisfied")
    inspection = plan(cast, method="chosen", households=[population[0].household_id, population[1].household_id])
    rows = {r["household"]: r["household_feedback"] for r in findings(cast, inspection.json()["id"])}
    assert rows[population[0].household_id]["dissatisfied"] == 1
    assert rows[population[0].household_id]["basically_satisfied"] == 1
    assert rows[population[0].household_id]["latest_satisfaction"] == "basically_satisfied"
    assert rows[population[1].household_id] is None


def test_s13_who_sees_and_runs_inspections(cast, other, population):
    from .conftest import activate

    activate(other, other.household, other.first_helper, other.second_helper)
    theirs = plan(other, sample_size=1).json()
    for role in ("town_office", "first_helper", "unit_liaison"):
        assert plan(cast, role=role).status_code == 403
    mine = plan(cast, method="chosen", households=[population[0].household_id]).json()
    client = cast.client("city_office")
    assert client.get(f"/api/v1/inspections/{theirs['id']}/").status_code == 404
    assert client.get(f"/api/v1/inspections/{theirs['id']}/findings/").status_code == 404
    assert [i["id"] for i in client.get("/api/v1/inspections/").json()["results"]] == [mine["id"]]
    assert [i["id"] for i in cast.client("town_office").get("/api/v1/inspections/").json()["results"]] == [mine["id"]]
    assert [i["id"] for i in cast.client("unit_liaison").get("/api/v1/inspections/").json()["results"]] == [mine["id"]]
    assert cast.client("first_helper").get("/api/v1/inspections/").json()["results"] == []
    row = findings(cast, mine["id"])[0]
    assert record(cast, mine["id"], row["id"], FOUND_WELL, role="town_office").status_code == 403
    their_finding = Finding.objects.get(tenant=other.tenant)
    assert record(cast, mine["id"], their_finding.pk, FOUND_WELL).status_code == 404


def test_s17_only_conducted_inspections_of_the_year_count(cast, population):
    inspection = plan(cast, method="chosen", households=[population[0].household_id]).json()
    row = findings(cast, inspection["id"])[0]
    record(cast, inspection["id"], row["id"], {**FOUND_WELL, "satisfaction": "dissatisfied"})
    assert dissatisfied_units(cast.tenant, 2018) == set()
    with at_noon(dt.date(2019, 1, 3)):
        r = cast.client("city_office").post(f"/api/v1/inspections/{inspection['id']}/conduct/", {"on": "2019-01-02"},
                                            format="json")
    assert r.status_code == 200
    assert dissatisfied_units(cast.tenant, 2018) == set() and dissatisfied_units(cast.tenant, 2019) == {cast.unit.pk}
