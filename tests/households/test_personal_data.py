"""SPEC §8: personal data encrypted at rest, masked in output, revealed only with permission and logged."""

from django.db import connection

from backend.households.models import Member, PersonalDataAccess
from tests.factories import HouseholdFactory


def raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_encrypted_columns_hold_no_plaintext(cast):
    member = cast.household.members.get()
    rows = raw("SELECT id_number, id_index FROM households_member WHERE id = %s", [member.pk])
    stored, index = rows[0]
    assert member.id_number not in stored and stored.startswith("v1:")
    assert member.id_number not in index
    (phone,) = raw("SELECT phone FROM households_household WHERE id = %s", [cast.household.pk])[0]
    assert cast.household.phone not in phone and phone.startswith("v1:")
    (person_phone,) = raw("SELECT phone FROM directory_person WHERE id = %s", [cast.first_helper.pk])[0]
    assert cast.first_helper.phone not in person_phone
    # and it decrypts back through the ORM
    assert Member.objects.get(pk=member.pk).id_number == member.id_number


def test_blind_index_finds_a_member_by_id_without_decrypting(cast):
    from backend.common.crypto import blind_index

    member = cast.household.members.get()
    assert Member.objects.get(id_index=blind_index("id", member.id_number.lower())).pk == member.pk


def test_api_masks_ids_and_phones(cast):
    body = cast.client("city_office").get(f"/api/v1/households/{cast.household.pk}/").json()
    member = cast.household.members.get()
    assert body["phone"] == cast.household.phone[:3] + "****" + cast.household.phone[-4:]
    assert body["members"][0]["id_number"] == member.id_number[:6] + "********" + member.id_number[-4:]
    listing = cast.client("city_office").get("/api/v1/households/").content.decode()
    assert member.id_number not in listing and cast.household.phone not in listing
    people = cast.client("city_office").get("/api/v1/people/").content.decode()
    assert cast.first_helper.phone not in people


def test_reveal_is_permission_gated_and_logged(cast):
    url = f"/api/v1/households/{cast.household.pk}/reveal/"
    denied = cast.client("leading_group").post(url, {"reason": "看看"}, format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert PersonalDataAccess.objects.count() == 0
    ok = cast.client("city_office").post(url, {"reason": "核实联系方式"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["members"][0]["id_number"] == cast.household.members.get().id_number
    log = PersonalDataAccess.objects.get()
    assert log.user == cast.users["city_office"] and log.reason == "核实联系方式"


def test_town_office_reveals_only_its_own_households(cast):
    elsewhere = HouseholdFactory(village__town__tenant=cast.tenant, village__tenant=cast.tenant)
    response = cast.client("town_office").post(f"/api/v1/households/{elsewhere.pk}/reveal/", {}, format="json")
    assert response.status_code == 404
