"""S5 holiday deliveries: the city office plans a campaign from a computed festival date, starting it creates a
record per in-scope household with an active pairing, the first helper completes it with a receipt, reminders
before the festival, coverage per town and village, scope and isolation."""

import datetime as dt

import pytest

from backend.households.models import HouseholdStatus
from notifications.models import Notification
from tests import factories as f
from workers import plans_tasks
from workflows.deliveries import services
from workflows.deliveries.models import Delivery, DeliveryCampaign

from .conftest import another_pairing, at_noon, data_url, png

pytestmark = pytest.mark.usefixtures("today")


def plan(cast, role="city_office", **extra):
    body = {"year": 2018, "festival": "duanwu", "goods": "粽子、食用油", "budget": "30000"}
    body.update(extra)
    return cast.client(role).post("/api/v1/delivery-campaigns/", body, format="json")


def started(cast):
    campaign = plan(cast).json()
    r = cast.client("city_office").post(f"/api/v1/delivery-campaigns/{campaign['id']}/start/", {}, format="json")
    assert r.status_code == 200, r.json()
    return r.json()


def receipt(on="2018-05-10", **extra):
    body = {"delivered_on": on, "receipt_sign_method": "signature", "receipt_signer_name": "张德福",
            "receipt_signature": data_url(png())}
    body.update(extra)
    return body


def test_s5_city_office_plans_a_campaign_with_the_computed_festival_date(cast):
    r = plan(cast)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["festival_on"], body["deliver_by"], body["starts_on"]) == ("2018-06-18", "2018-06-17", "2018-05-10")
    assert body["title"] == "2018年端午节慰问" and body["state"] == "planned" and body["budget"] == "30000.00"
    r = plan(cast, festival="chunjie", deliver_by="2019-01-30")
    assert r.json()["festival_on"] == "2019-02-05" and r.json()["deliver_by"] == "2019-01-30"
    assert r.json()["title"] == "2019年春节慰问（2018年度）"  # the festival's own year, then the campaign year
    r = cast.client("town_office").get("/api/v1/delivery-campaigns/festivals/?year=2026")
    assert [(x["label"], x["on"]) for x in r.json()] == [
        ("端午节", "2026-06-19"), ("中秋节", "2026-09-25"), ("重阳节", "2026-10-18"), ("元旦", "2027-01-01"),
        ("春节", "2027-02-06")]


@pytest.mark.parametrize("extra,status,field,message", [
    ({}, 409, "festival", "2018年端午节慰问已有计划。"),
    ({"festival": "zhongqiu", "deliver_by": "2018-09-25"}, 400, "deliver_by",
     "送达截止日期2018年9月25日晚于中秋节（2018年9月24日），慰问物资应在节日前送达。"),
    ({"festival": "zhongqiu", "budget": "-1"}, 400, "budget", "预算金额不能为负数。"),
    ({"festival": "zhongqiu", "goods": " "}, 400, "goods", "请填写慰问物资。"),
    ({"festival": "zhongqiu", "starts_on": "2018-09-24"}, 400, "starts_on",
     "发放开始日期2018年9月24日晚于送达截止日期2018年9月23日。"),
])
def test_s5_bad_campaigns_are_refused_in_chinese(cast, extra, status, field, message):
    plan(cast)
    r = plan(cast, **extra)
    assert r.status_code == status and r.json()["message"] == message and field in r.json()["fields"]


def test_s5_only_the_city_office_plans(cast):
    for role in ("town_office", "first_helper", "unit_liaison"):
        assert plan(cast, role=role).status_code == 403
    assert not DeliveryCampaign.objects.exists()


def test_s5_starting_creates_one_delivery_per_in_scope_household_with_an_active_pairing(
        cast, pairing, enqueued, django_capture_on_commit_callbacks):
    second = another_pairing(cast)
    another_pairing(cast, met_on=None)  # proposed, helpers not yet in place
    gone = another_pairing(cast)
    gone.household.status = HouseholdStatus.EXITED_NO_POLICY  # 已脱贫（不再享受政策）: out of scope
    gone.household.save()
    with django_capture_on_commit_callbacks(execute=True):
        campaign = started(cast)
    assert campaign["state"] == "delivering" and campaign["deliveries"] == 2 and campaign["delivered"] == 0
    rows = Delivery.objects.order_by("household_id")
    assert [(d.household_id, d.helper_id, d.delivered_on) for d in rows] == [
        (pairing.household_id, cast.first_helper.pk, None), (second.household_id, second.first_helper_id, None)]
    assert ("deliveries.remind", {"campaign_id": campaign["id"]}) in enqueued
    r = cast.client("city_office").post(f"/api/v1/delivery-campaigns/{campaign['id']}/start/", {}, format="json")
    assert r.status_code == 409


def test_s5_first_helper_completes_a_delivery_with_a_receipt(cast, pairing):
    started(cast)
    delivery = Delivery.objects.get()
    url = f"/api/v1/deliveries/{delivery.pk}"
    assert cast.client("second_helper").post(f"{url}/complete/", receipt(), format="json").status_code == 403
    r = cast.client("first_helper").post(f"{url}/complete/", receipt(), format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["goods"] == "粽子、食用油" and body["late"] is False and body["receipt_sign_label"] == "贫困户签字"
    image = cast.client("town_office").get(body["receipt_url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    again = cast.client("first_helper").post(f"{url}/complete/", receipt(on="2018-05-10"), format="json")
    assert again.status_code == 409 and "已于" in again.json()["message"]


@pytest.mark.parametrize("extra,field,message", [
    ({"delivered_on": "2018-05-11"}, "delivered_on", "送达日期2018年5月11日晚于今天。"),
    ({"delivered_on": "2018-05-09"}, "delivered_on", "送达日期2018年5月9日早于发放开始日期2018年5月10日。"),
    ({"receipt_signature": None}, "receipt_signature", "请上传签收的签字、手印或印章图像。"),
    ({"receipt_signer_name": ""}, "receipt_signer_name", "请填写签收人的姓名。"),
    ({"receipt_sign_method": ""}, "receipt_sign_method", "请选择签收方式"),
    ({"receipt_sign_method": "witness", "witness_name": "刘村"}, "witness_role", "请填写见证人的身份。"),
    ({"receipt_signature": "data:image/png;base64,aGVsbG8="}, "receipt_signature", "签收图像不是有效的图片文件。"),
])
def test_s5_incomplete_receipts_are_refused(cast, pairing, extra, field, message):
    started(cast)
    body = {k: v for k, v in {**receipt(on="2018-05-10"), **extra}.items() if v is not None}
    delivery = Delivery.objects.get()
    r = cast.client("first_helper").post(f"/api/v1/deliveries/{delivery.pk}/complete/", body, format="json")
    assert r.status_code == 400 and message in r.json()["fields"][field][0]
    assert Delivery.objects.get().delivered_on is None


def test_s5_a_witness_may_sign_and_late_deliveries_are_marked(cast, pairing):
    campaign = started(cast)
    delivery = Delivery.objects.get()
    with at_noon(dt.date(2018, 6, 18)):
        body = receipt(on="2018-06-18", receipt_sign_method="witness", receipt_signer_name="",
                       witness_name="刘村", witness_role="村委会主任")
        r = cast.client("town_office").post(f"/api/v1/deliveries/{delivery.pk}/complete/", body, format="json")
    assert r.status_code == 200 and r.json()["late"] is True and r.json()["witness_name"] == "刘村"
    assert Delivery.objects.get().entered_by == cast.users["town_office"]
    closed = cast.client("city_office").post(f"/api/v1/delivery-campaigns/{campaign['id']}/close/", {}, format="json")
    assert closed.json()["state"] == "closed" and closed.json()["delivered"] == 1


def test_s5_reminders_before_the_festival_once_per_delivery(cast, pairing):
    campaign = DeliveryCampaign.objects.get(pk=started(cast)["id"])
    assert services.remind(campaign=campaign, today=dt.date(2018, 6, 12)) == 0  # 6 days before: not yet
    with at_noon(dt.date(2018, 6, 13)):  # reminder_days["delivery"] = 5
        assert plans_tasks.remind(campaign.pk) == 1
        assert plans_tasks.sweep() == 0  # the same key: nothing twice
    note = Notification.objects.get(kind="delivery_due")
    assert note.user_id == cast.users["first_helper"].pk
    assert "张德福" in note.body and "端午节" in note.body and "6月18日" in note.body
    with at_noon(dt.date(2018, 6, 19)):
        assert plans_tasks.sweep() == 0  # after the festival


def test_s5_coverage_per_town_and_village(cast, pairing):
    other_village = f.VillageFactory(tenant=cast.tenant, town=cast.town, code="370683004002", name="东关村")
    another_pairing(cast)  # 西关村
    p3 = another_pairing(cast, village=other_village)
    town2 = f.OrganisationFactory(tenant=cast.tenant, kind="town", code="370683005", name="三山岛街道", unit_kind="")
    f.QuotaFactory(unit=cast.unit, town=town2, count=1)
    p4 = another_pairing(cast, village=f.VillageFactory(tenant=cast.tenant, town=town2, code="370683005001",
                                                          name="北村"))
    campaign = started(cast)
    for p in (pairing, p3):
        d = Delivery.objects.get(pairing=p)
        services.complete(actor=cast.actor("town_office"), delivery=d, delivered_on=dt.date(2018, 5, 10),
                          receipt_sign_method="seal", receipt_signer_name="户主", signature=_upload())
    body = cast.client("city_office").get(f"/api/v1/delivery-campaigns/{campaign['id']}/coverage/").json()
    assert (body["households"], body["delivered"], body["rate"]) == (4, 2, 0.5)
    towns = {t["name"]: t for t in body["towns"]}
    assert (towns["城港路街道"]["households"], towns["城港路街道"]["delivered"]) == (3, 2)
    assert {v["name"]: (v["households"], v["delivered"]) for v in towns["城港路街道"]["villages"]} == {
        "西关村": (2, 1), "东关村": (1, 1)}
    assert (towns["三山岛街道"]["households"], towns["三山岛街道"]["delivered"], towns["三山岛街道"]["rate"]) == (1, 0, 0.0)
    mine = cast.client("town_office").get(f"/api/v1/delivery-campaigns/{campaign['id']}/coverage/").json()
    assert [t["name"] for t in mine["towns"]] == ["城港路街道"] and mine["households"] == 3
    assert p4.household.village.town == town2


def _upload():
    from backend.fieldwork.images import Upload

    return Upload(png())


def test_s5_scope_and_isolation(cast, other, pairing):
    from .conftest import activate

    activate(other, other.household, other.first_helper, other.second_helper)
    theirs = started(other)
    mine = started(cast)
    client = cast.client("city_office")
    assert client.get(f"/api/v1/delivery-campaigns/{theirs['id']}/").status_code == 404
    assert [c["id"] for c in client.get("/api/v1/delivery-campaigns/").json()["results"]] == [mine["id"]]
    their_delivery = Delivery.objects.get(tenant=other.tenant)
    assert client.get(f"/api/v1/deliveries/{their_delivery.pk}/").status_code == 404
    r = cast.client("first_helper").post(f"/api/v1/deliveries/{their_delivery.pk}/complete/", receipt(), format="json")
    assert r.status_code == 404
    stranger = another_pairing(cast)
    client = cast.client("first_helper")
    ids = [d["household"] for d in client.get("/api/v1/deliveries/").json()["results"]]
    assert ids == [pairing.household_id] and stranger.household_id not in ids


def test_s5_s7_pending_deliveries_follow_a_replacement(cast, pairing):
    from workflows.pairings import services as pairings

    campaign = started(cast)
    office = cast.actor("city_office")
    pairings.end(actor=office, pairing=pairing, on=dt.date(2018, 5, 10), reason_code="replaced")
    newcomer = f.PersonFactory(organisation=cast.unit, name="赵新")
    f.put_on_roster(newcomer, cast.town)
    new = pairings.assign(actor=office, household=cast.household, first_helper=newcomer,
                          second_helper=cast.second_helper, on=dt.date(2018, 5, 10))
    pairings.activate(actor=office, pairing=new, met_on=dt.date(2018, 5, 10))
    r = cast.client("city_office").post(f"/api/v1/delivery-campaigns/{campaign['id']}/sync/", {}, format="json")
    assert r.status_code == 200 and r.json()["deliveries"] == 1
    delivery = Delivery.objects.get()
    assert (delivery.pairing_id, delivery.helper_id) == (new.pk, newcomer.pk)
    r = cast.client("first_helper").post(f"/api/v1/deliveries/{delivery.pk}/complete/", receipt(), format="json")
    assert r.status_code == 404  # no longer the old helper's household
