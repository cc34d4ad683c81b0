"""SPEC §2, §8: another tenant's ids answer 404 and never appear in lists; roles see their scope."""

import pytest

from tests.factories import HouseholdFactory, PersonFactory
from workflows.pairings import services


def pair(cast):
    return services.assign(actor=cast.actor("town_office"), household=cast.household,
                           first_helper=cast.first_helper, second_helper=cast.second_helper,
                           on=__import__("datetime").date(2018, 3, 19))


ENDPOINTS = {
    "towns": lambda c: c.town.pk,
    "villages": lambda c: c.village.pk,
    "units": lambda c: c.unit.pk,
    "people": lambda c: c.first_helper.pk,
    "households": lambda c: c.household.pk,
    "pairings": lambda c: pair(c).pk,
}


@pytest.mark.parametrize("resource", ENDPOINTS)
def test_other_tenants_ids_are_404_and_absent_from_lists(cast, other, resource):
    foreign_id = ENDPOINTS[resource](other)
    ENDPOINTS[resource](cast)
    client = cast.client("city_office")
    assert client.get(f"/api/v1/{resource}/{foreign_id}/").status_code == 404
    ids = [row["id"] for row in client.get(f"/api/v1/{resource}/?page_size=500").json()["results"]]
    assert ids and foreign_id not in ids


def test_unauthenticated_requests_get_the_error_shape(cast):
    from rest_framework.test import APIClient

    body = APIClient().get("/api/v1/households/").json()
    assert body == {"code": "not_authenticated", "message": "请先登录。", "fields": {}}


def test_token_auth_and_me(cast):
    from rest_framework.test import APIClient

    from backend.tenancy.models import SignInEvent

    client = APIClient()
    bad = client.post("/api/v1/auth/token/", {"username": "370683-town_office", "password": "nope"}, format="json")
    assert bad.status_code == 400 and bad.json()["message"] == "用户名或密码错误。"
    token = client.post("/api/v1/auth/token/", {"username": "370683-town_office", "password": "secret-pass-123"},
                        format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["tenant"]["code"] == "370683" and me["roles"] == ["town_office"]
    assert me["organisation"]["code"] == "370683004"
    assert list(SignInEvent.objects.values_list("succeeded", flat=True).order_by("at")) == [False, True]


def test_login_is_throttled(cast):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    client = APIClient()
    codes = [client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json").status_code
             for _ in range(12)]
    assert codes[-1] == 429
    cache.clear()


def test_town_office_sees_its_households_only(cast):
    elsewhere = HouseholdFactory(village__town__tenant=cast.tenant, village__tenant=cast.tenant)
    ids = [r["id"] for r in cast.client("town_office").get("/api/v1/households/").json()["results"]]
    assert cast.household.pk in ids and elsewhere.pk not in ids
    assert cast.client("town_office").get(f"/api/v1/households/{elsewhere.pk}/").status_code == 404
    assert elsewhere.pk in [r["id"] for r in cast.client("city_office").get("/api/v1/households/").json()["results"]]


def test_helper_sees_only_their_households(cast):
    helper = cast.client("first_helper")
    assert helper.get("/api/v1/households/").json()["count"] == 0
    pairing = pair(cast)
    assert [r["id"] for r in helper.get("/api/v1/households/").json()["results"]] == [cast.household.pk]
    assert [r["id"] for r in helper.get("/api/v1/pairings/").json()["results"]] == [pairing.pk]
    people = {r["id"] for r in helper.get("/api/v1/people/").json()["results"]}
    assert people == {cast.first_helper.pk, cast.second_helper.pk}


def test_unit_liaison_sees_its_people_and_their_pairings(cast):
    stranger = PersonFactory(organisation__tenant=cast.tenant)
    pairing = pair(cast)
    liaison = cast.client("unit_liaison")
    people = {r["id"] for r in liaison.get("/api/v1/people/?page_size=500").json()["results"]}
    assert cast.first_helper.pk in people and stranger.pk not in people
    assert [r["id"] for r in liaison.get("/api/v1/pairings/").json()["results"]] == [pairing.pk]
    assert liaison.get(f"/api/v1/people/{stranger.pk}/").status_code == 404


def test_towns_show_their_contacts(cast):
    from backend.directory.models import TownContact

    TownContact.objects.create(tenant=cast.tenant, town=cast.town, name="史越", position="城港路扶贫办科员",
                               office_phone="2296895", mobile="15866463532")
    town = cast.client("unit_liaison").get(f"/api/v1/towns/{cast.town.pk}/").json()
    assert town["contacts"] == [{"name": "史越", "position": "城港路扶贫办科员", "office_phone": "2296895",
                                 "mobile": "15866463532"}]


def test_filters_by_town_code_and_state(cast):
    pair(cast)
    client = cast.client("city_office")
    assert client.get("/api/v1/pairings/?town=370683004&state=proposed").json()["count"] == 1
    assert client.get("/api/v1/pairings/?town=370683004&state=active").json()["count"] == 0
    assert client.get("/api/v1/households/?town=370683004&unpaired=false").json()["count"] == 1


def test_openapi_schema_and_docs_are_served(cast):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/schema/").status_code == 200
    docs = APIClient().get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs.lower()
