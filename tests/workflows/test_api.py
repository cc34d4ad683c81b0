"""SPEC §2, §8, §9 for the workflows endpoints: other tenants' ids answer 404 and are absent from lists; the
audit log shows an object's transitions only to those who may see the object; misses list and filter."""

import pytest
import time_machine

from tests.workflows.conftest import TODAY, build_world, moment


@pytest.fixture
def worlds(cast, other):
    with time_machine.travel(moment(TODAY), tick=False) as clock:
        yield build_world(cast, clock), build_world(other, clock)


MAKERS = {
    "rosters": lambda w: w.roster("submitted"),
    "replacements": lambda w: w.replacement("filed"),
    "quarterly-reports": lambda w: w.report("compiled"),
    "escalations": lambda w: w.escalation("notice_issued"),
    "misses": lambda w: w.miss(),
}


@pytest.mark.parametrize("resource", MAKERS)
def test_other_tenants_ids_are_404_and_absent_from_lists(worlds, resource):
    mine, theirs = worlds
    MAKERS[resource](mine)
    foreign = MAKERS[resource](theirs)
    client = mine.client("city_office")
    assert client.get(f"/api/v1/{resource}/{foreign.pk}/").status_code == 404
    ids = [row["id"] for row in client.get(f"/api/v1/{resource}/?page_size=500").json()["results"]]
    assert ids and foreign.pk not in ids
    if resource != "misses":
        assert client.get(f"/api/v1/audit/?object_type={resource}&object_id={foreign.pk}").status_code == 404
        first_post = mine.client("city_office").post(f"/api/v1/{resource}/{foreign.pk}/accept/", {}, format="json")
        assert first_post.status_code == 404


def test_audit_shows_every_transition_with_actor_and_reason(world):
    roster = world.roster("returned")
    log = world.client("unit_liaison").get(f"/api/v1/audit/?object_type=rosters&object_id={roster.pk}").json()
    rows = [(r["transition"], r["from_state"], r["to_state"], r["actor_label"], r["reason"]) for r in log["results"]]
    assert rows == [
        ("create", "", "draft", "370683-unit_liaison", ""),
        ("edit_entries", "draft", "draft", "370683-unit_liaison", ""),
        ("submit", "draft", "submitted", "370683-unit_liaison", ""),
        ("return_to_unit", "submitted", "returned", "370683-town2", "电话号码有误"),
    ]
    assert all(r["policy_version"] == world.cast.policy.version for r in log["results"])


def test_audit_is_scoped_to_what_the_caller_sees(world):
    roster = world.roster("submitted")
    url = f"/api/v1/audit/?object_type=rosters&object_id={roster.pk}"
    assert world.client("town_office").get(url).status_code == 404  # another town's roster
    assert world.client("first_helper").get(url).status_code == 404
    assert world.client("assessor").get(url).status_code == 200
    bad = world.client("city_office").get("/api/v1/audit/?object_type=households&object_id=1").json()
    assert bad["code"] == "validation_failed" and "对象类型只能是" in bad["message"]
    missing = world.client("city_office").get("/api/v1/audit/?object_type=rosters").json()
    assert "object_id" in missing["fields"]


def test_audit_of_a_pairing_includes_its_foundation_transitions(world):
    pairing = world.pairing("ended")
    log = world.client("town_office").get(f"/api/v1/audit/?object_type=pairings&object_id={pairing.pk}").json()
    assert [r["transition"] for r in log["results"]] == ["create", "activate", "end"]
    assert log["results"][2]["data"] == {"on": TODAY.isoformat(), "end_reason": "household_exited"}


def test_misses_list_filters_and_scope(world):
    from tests.factories import PersonFactory

    mine = world.miss()
    stranger = PersonFactory(organisation__tenant=world.cast.tenant, name="外单位")
    theirs = world.miss(stranger)
    city = world.client("city_office")
    assert city.get("/api/v1/misses/").json()["count"] == 2
    assert [r["id"] for r in city.get(f"/api/v1/misses/?person={stranger.pk}").json()["results"]] == [theirs.pk]
    assert [r["id"] for r in city.get("/api/v1/misses/?unit=czj&kind=visit&year=2018").json()["results"]] == [mine.pk]
    assert city.get("/api/v1/misses/?state=withdrawn").json()["count"] == 0
    assert city.get("/api/v1/misses/?date_from=2018-03-01").json()["count"] == 0
    row = city.get(f"/api/v1/misses/{mine.pk}/").json()
    assert (row["kind_label"], row["person_name"], row["organisation_name"]) == ("未按要求入户走访", "李明", "莱州市财政局")
    for role, expected in (("first_helper", [mine.pk]), ("unit_liaison", [mine.pk]), ("second_helper", [])):
        assert [r["id"] for r in world.client(role).get("/api/v1/misses/").json()["results"]] == expected
    assert world.client("city_office").post("/api/v1/misses/", {}, format="json").status_code == 405


def test_filters_on_workflow_lists(world):
    world.roster("submitted")
    world.report("compiled")
    city = world.client("city_office")
    assert city.get("/api/v1/rosters/?town=370683005&state=submitted").json()["count"] == 1
    assert city.get("/api/v1/rosters/?town=370683004").json()["count"] == 1  # the cast's accepted roster
    assert city.get("/api/v1/rosters/?late=true").json()["count"] == 1
    assert city.get("/api/v1/quarterly-reports/?town=370683004&year=2018&quarter=1").json()["count"] == 1
    assert city.get("/api/v1/quarterly-reports/?state=approved").json()["count"] == 0


def test_openapi_schema_lists_the_transition_actions(world):
    schema = world.client("city_office").get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for p in ("/api/v1/rosters/{id}/submit/", "/api/v1/rosters/{id}/return/", "/api/v1/escalations/{id}/withdraw/",
              "/api/v1/quarterly-reports/{id}/reopen/", "/api/v1/replacements/{id}/take-effect/", "/api/v1/audit/"):
        assert p in paths, p


def test_operators_see_the_workflows_in_the_admin(world):
    world.roster("submitted")
    world.replacement("filed")  # pairs the cast's household
    world.escalation("open")
    client = world.cast.client("operator")
    client.force_login(world.cast.users["operator"])
    for path in ("rosters/roster", "replacements/replacement", "reporting/quarterlyreport",
                 "accountability/escalation", "accountability/miss"):
        assert client.get(f"/admin/{path}/").status_code == 200, path
    assert client.get("/admin/accountability/miss/add/").status_code == 403
