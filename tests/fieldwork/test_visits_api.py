"""S4, S14, S15 through the API: visits and calls, the double signature, dates, grace days, scope, confirmation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.fieldwork.models import ContactMonth, Visit, VisitEdit
from tests.factories import HouseholdFactory, PersonFactory, put_on_roster
from workflows.pairings import services as pairings

from .conftest import TODAY, at_noon, call_body, data_url, png, visit_body

pytestmark = pytest.mark.usefixtures("today")


def post_visit(cast, role, body, resource="visits"):
    return cast.client(role).post(f"/api/v1/{resource}/", body, format="json")


def test_s4_s15_first_helper_records_a_double_signed_visit(cast, pairing):
    r = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8), people_met="户主"))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["role"] == "first" and body["helper"] == cast.first_helper.pk and body["channel"] == "in_person"
    assert body["item_labels"] == ["宣传普及扶贫政策", "帮：协调政策落实、解决生活困难"]
    assert body["household_sign_label"] == "贫困户签字" and body["household_signer_name"] == "张德福"
    assert sorted(i["kind"] for i in body["images"]) == ["helper_signature", "household_signature"]
    assert body["late_entry"] is False
    image = cast.client("first_helper").get(body["images"][0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    row = ContactMonth.objects.get(pairing=pairing)
    assert (row.role, row.channel, row.year, row.month, row.count, row.last_on) == (
        "first", "in_person", 2018, 5, 1, dt.date(2018, 5, 8))


def test_s15_household_that_cannot_sign_is_replaced_by_a_witness(cast, pairing):
    body = visit_body(pairing, dt.date(2018, 5, 8), household_sign_method="witness", household_signer_name="",
                      witness_name="刘村", witness_role="村公证人")
    r = post_visit(cast, "first_helper", body)
    assert r.status_code == 201, r.json()
    assert (r.json()["witness_name"], r.json()["witness_role"]) == ("刘村", "村公证人")


def test_s15_thumbprint_with_signer_name_is_accepted_as_multipart(cast, pairing):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"pairing": pairing.pk, "occurred_on": "2018-05-09", "items": ["song"], "household_sign_method": "thumbprint",
            "household_signer_name": "张德福",
            "helper_signature": SimpleUploadedFile("h.png", png(), content_type="image/png"),
            "household_signature": SimpleUploadedFile("t.png", png(color=(150, 0, 0)), content_type="image/png")}
    r = cast.client("first_helper").post("/api/v1/visits/", body, format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()["household_sign_method"] == "thumbprint" and r.json()["items"] == ["song"]


@pytest.mark.parametrize("change,field,message", [
    ({"helper_signature": None}, "helper_signature", "入户走访须有帮扶责任人签字。"),
    ({"household_sign_method": ""}, "household_sign_method", "贫困户签字、按手印或盖章确认"),
    ({"household_signature": None}, "household_signature", "请上传贫困户签字的图像。"),
    ({"household_signer_name": ""}, "household_signer_name", "请填写贫困户签字人的姓名。"),
    ({"household_sign_method": "witness", "witness_role": "村公证人"}, "witness_name", "见证人的姓名"),
])
def test_s15_in_person_visit_without_double_signature_is_refused(cast, pairing, change, field, message):
    body = {k: v for k, v in {**visit_body(pairing, dt.date(2018, 5, 8)), **change}.items() if v is not None}
    r = post_visit(cast, "first_helper", body)
    assert r.status_code == 400
    assert r.json()["code"] == "validation_failed" and message in r.json()["fields"][field][0]
    assert not Visit.objects.exists() and not ContactMonth.objects.exists()


@pytest.mark.parametrize("on,message", [
    (dt.date(2018, 3, 10), "不在该户的结对帮扶期内（2018年3月19日至2020年12月31日）"),
    (dt.date(2018, 5, 11), "晚于今天"),
])
def test_s14_visit_dated_outside_its_pairing_is_refused(cast, pairing, on, message):
    r = post_visit(cast, "first_helper", visit_body(pairing, on))
    assert r.status_code == 400 and message in r.json()["fields"]["occurred_on"][0]
    assert "入户走访日期" in r.json()["message"]


def test_s14_visit_after_the_pairing_ended_is_refused(cast, pairing):
    pairings.end(actor=cast.actor("town_office"), pairing=pairing, on=dt.date(2018, 5, 6), reason_code="household_exited")
    r = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 7)))
    assert r.status_code == 400 and "2018年3月19日至2018年5月6日" in r.json()["message"]
    assert post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 6))).status_code == 201


def test_s14_file_that_is_not_an_image_is_refused(cast, pairing):
    body = visit_body(pairing, dt.date(2018, 5, 8), helper_signature=data_url(b"%PDF-1.4 not an image"))
    r = post_visit(cast, "first_helper", body)
    assert r.status_code == 400
    assert r.json()["fields"]["helper_signature"] == ["帮扶责任人签字图像不是有效的图片文件。"]
    garbage = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8), household_signature="@@@"))
    assert garbage.status_code == 400 and "图片数据无法读取" in garbage.json()["message"]


def test_s14_image_too_big_or_of_a_refused_format_is_refused(cast, pairing):
    from backend.tenancy.models import Policy

    Policy.objects.create(tenant=cast.tenant, signature_max_bytes=200, photo_types=["JPEG", "WEBP"])
    r = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8), helper_signature=data_url(png((800, 800)))))
    assert r.status_code == 400 and "过大" in r.json()["fields"]["helper_signature"][0]
    assert "不能超过1KB" in r.json()["message"]
    Policy.objects.create(tenant=cast.tenant, photo_types=["JPEG", "WEBP"])
    r = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8)))
    assert r.json()["fields"]["helper_signature"] == ["帮扶责任人签字图像的格式是PNG，只接受JPEG、WEBP格式的图片。"]


def test_s8_calls_are_their_own_resource_and_need_no_signature(cast, pairing):
    r = post_visit(cast, "first_helper", call_body(pairing, dt.date(2018, 5, 7)), resource="calls")
    assert r.status_code == 201 and r.json()["channel"] == "phone"
    signed = post_visit(cast, "first_helper", call_body(pairing, dt.date(2018, 5, 7), household_sign_method="signature"),
                        resource="calls")
    assert signed.status_code == 400 and signed.json()["message"] == "电话联系不需要签字，请勿上传签名。"
    helper = cast.client("first_helper")
    assert helper.get("/api/v1/visits/").json()["count"] == 0
    assert [c["id"] for c in helper.get("/api/v1/calls/").json()["results"]] == [r.json()["id"]]
    empty = post_visit(cast, "first_helper", {**call_body(pairing, dt.date(2018, 5, 7)), "items": []}, resource="calls")
    assert empty.json()["fields"]["items"] == ["请至少选择一项帮扶事项或填写帮扶实录。"]
    bad = post_visit(cast, "first_helper", {**call_body(pairing, dt.date(2018, 5, 7)), "items": ["x9"]}, resource="calls")
    assert bad.json()["fields"]["items"] == ["帮扶事项代码无效：x9。"]


def test_second_helper_records_their_own_role_only(cast, pairing):
    r = post_visit(cast, "second_helper", visit_body(pairing, dt.date(2018, 5, 6)))
    assert r.status_code == 201 and r.json()["role"] == "second" and r.json()["helper"] == cast.second_helper.pk
    other_role = post_visit(cast, "second_helper", visit_body(pairing, dt.date(2018, 5, 6), role="first"))
    assert other_role.status_code == 403 and "第二帮扶责任人，只能录入本人的记录" in other_role.json()["message"]


def test_only_the_pairings_helpers_or_its_town_office_enter_records(cast, pairing):
    for role in ("unit_liaison", "city_office"):
        r = post_visit(cast, role, visit_body(pairing, dt.date(2018, 5, 6), role="first"))
        assert r.status_code in (400, 403), role
    r = post_visit(cast, "city_office", visit_body(pairing, dt.date(2018, 5, 6), role="first"))
    assert r.json()["message"] == "只有该户的帮扶责任人或所在镇街扶贫办可以录入走访和电话记录。"
    assert post_visit(cast, "assessor", visit_body(pairing, dt.date(2018, 5, 6))).status_code == 403
    office = post_visit(cast, "town_office", visit_body(pairing, dt.date(2018, 5, 6)))
    assert office.json()["fields"]["role"] == ["请选择记录所属的帮扶责任人：第一帮扶责任人或第二帮扶责任人。"]
    assert post_visit(cast, "town_office", visit_body(pairing, dt.date(2018, 5, 6), role="first")).status_code == 201


def test_s14_late_entry_needs_the_town_office_with_a_reason_and_is_flagged(cast, pairing):
    on = TODAY - dt.timedelta(days=cast.policy.grace_days + 1)
    in_time = post_visit(cast, "first_helper", visit_body(pairing, TODAY - dt.timedelta(days=cast.policy.grace_days)))
    assert in_time.status_code == 201 and in_time.json()["late_entry"] is False
    r = post_visit(cast, "first_helper", visit_body(pairing, on))
    assert r.status_code == 403
    assert r.json()["message"] == "2018年5月4日的记录已超过补录期限（5天），补录须由所在镇街扶贫办办理。"
    no_reason = post_visit(cast, "town_office", visit_body(pairing, on, role="first"))
    assert no_reason.json()["fields"]["reason"] == ["超过补录期限（5天）补录，请填写理由。"]
    ok = post_visit(cast, "town_office", visit_body(pairing, on, role="first", reason="纸质责任卡补录"))
    assert ok.status_code == 201 and ok.json()["late_entry"] is True
    log = VisitEdit.objects.get(visit_id=ok.json()["id"])
    assert (log.action, log.late, log.reason) == ("create", True, "纸质责任卡补录")


def test_s14_grace_days_are_counted_in_the_tenants_time_zone(cast, pairing):
    # 2018-05-13 16:30 UTC is already 2018-05-14 in Shanghai: 05-08 is then 6 days back, past the grace,
    # though only 5 days back in UTC.
    with time_machine.travel(dt.datetime(2018, 5, 13, 16, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        assert post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8))).status_code == 403
        assert post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 9))).status_code == 201


def test_s14_edit_by_the_helper_within_grace_and_later_only_by_the_town_office(cast, pairing):
    vid = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8))).json()["id"]
    helper = cast.client("first_helper")
    r = helper.patch(f"/api/v1/visits/{vid}/", {"occurred_on": "2018-05-09", "follow_up": "六月再访"}, format="json")
    assert r.status_code == 200 and r.json()["occurred_on"] == "2018-05-09"
    assert ContactMonth.objects.get(pairing=pairing).last_on == dt.date(2018, 5, 9)
    with at_noon(dt.date(2018, 5, 20)):
        late = helper.patch(f"/api/v1/visits/{vid}/", {"summary": "改"}, format="json")
        assert late.status_code == 403 and "修改须由所在镇街扶贫办办理" in late.json()["message"]
        office = cast.client("town_office").patch(f"/api/v1/visits/{vid}/", {"occurred_on": "2018-04-28",
                                                                              "reason": "日期录错"}, format="json")
        assert office.status_code == 200 and office.json()["late_entry"] is True
    assert list(ContactMonth.objects.values_list("month", "count")) == [(4, 1)]
    history = helper.get(f"/api/v1/visits/{vid}/history/").json()
    assert [h["action"] for h in history] == ["create", "edit", "edit"]
    assert history[2]["changes"]["occurred_on"] == ["2018-05-09", "2018-04-28"] and history[2]["late"] is True
    outside = helper.patch(f"/api/v1/visits/{vid}/", {"occurred_on": "2018-03-01"}, format="json")
    assert outside.status_code == 400 and "不在该户的结对帮扶期内" in outside.json()["fields"]["occurred_on"][0]


def test_void_stops_counting_and_needs_a_reason(cast, pairing):
    vid = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8))).json()["id"]
    helper = cast.client("first_helper")
    assert helper.post(f"/api/v1/visits/{vid}/void/", {}, format="json").json()["fields"]["reason"] == ["请填写理由。"]
    r = helper.post(f"/api/v1/visits/{vid}/void/", {"reason": "重复录入"}, format="json")
    assert r.status_code == 200 and r.json()["voided"] is True and r.json()["void_reason"] == "重复录入"
    assert not ContactMonth.objects.exists()
    again = helper.patch(f"/api/v1/visits/{vid}/", {"summary": "x"}, format="json")
    assert again.status_code == 409 and again.json()["message"] == "该记录已作废，不能再修改。"
    second = cast.client("second_helper").post(f"/api/v1/visits/{vid}/void/", {"reason": "x"}, format="json")
    assert second.status_code == 403


def test_second_helper_confirms_a_first_helpers_visit(cast, pairing):
    vid = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8))).json()["id"]
    first = cast.client("first_helper").post(f"/api/v1/visits/{vid}/confirm/", {}, format="json")
    assert first.status_code == 403 and first.json()["message"] == "只有该户的第二帮扶责任人可以确认第一帮扶责任人的记录。"
    r = cast.client("second_helper").post(f"/api/v1/visits/{vid}/confirm/", {}, format="json")
    assert r.status_code == 200 and r.json()["confirmed_by"] == cast.second_helper.pk
    assert r.json()["confirmed_by_name"] == "王芳"
    twice = cast.client("second_helper").post(f"/api/v1/visits/{vid}/confirm/", {}, format="json")
    assert twice.status_code == 409 and twice.json()["message"] == "该记录已于2018年5月10日确认。"
    assert cast.client("city_office").get("/api/v1/visits/?confirmed=true").json()["count"] == 1
    edited = cast.client("first_helper").patch(f"/api/v1/visits/{vid}/", {"summary": "补充"}, format="json")
    assert edited.json()["confirmed_by"] is None  # it confirmed other content
    own = post_visit(cast, "second_helper", visit_body(pairing, dt.date(2018, 5, 9))).json()["id"]
    assert cast.client("second_helper").post(f"/api/v1/visits/{own}/confirm/", {}, format="json").status_code == 400


def test_helper_sees_only_their_households_records(cast, pairing):
    post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8)))
    household = HouseholdFactory(village=cast.village)
    stranger = PersonFactory(organisation=cast.unit)
    put_on_roster(stranger, cast.town)
    elsewhere = pairings.assign(actor=cast.actor("town_office"), household=household, first_helper=stranger,
                                second_helper=cast.second_helper, on=dt.date(2018, 3, 19))
    theirs = post_visit(cast, "town_office", visit_body(elsewhere, dt.date(2018, 5, 8), role="first")).json()["id"]
    helper = cast.client("first_helper")
    assert [v["pairing"] for v in helper.get("/api/v1/visits/").json()["results"]] == [pairing.pk]
    assert helper.get(f"/api/v1/visits/{theirs}/").status_code == 404
    refused = post_visit(cast, "first_helper", visit_body(elsewhere, dt.date(2018, 5, 8)))
    assert refused.status_code == 400 and refused.json()["fields"]["pairing"] == ["结对不存在或不在您的管辖范围内。"]
    assert cast.client("second_helper").get("/api/v1/visits/").json()["count"] == 2  # helps both households
    assert cast.client("unit_liaison").get("/api/v1/visits/").json()["count"] == 2
    assert cast.client("town_office").get("/api/v1/visits/?town=370683004").json()["count"] == 2


def test_other_tenants_visits_are_404_and_absent(cast, other, pairing):
    with at_noon(TODAY):
        mine = post_visit(cast, "first_helper", visit_body(pairing, dt.date(2018, 5, 8))).json()["id"]
        p2 = pairings.assign(actor=other.actor("town_office"), household=other.household, first_helper=other.first_helper,
                             second_helper=other.second_helper, on=dt.date(2018, 3, 19))
        foreign = post_visit(other, "first_helper", visit_body(p2, dt.date(2018, 5, 8))).json()["id"]
        foreign_call = post_visit(other, "first_helper", call_body(p2, dt.date(2018, 5, 8)), resource="calls").json()["id"]
    client = cast.client("city_office")
    assert client.get(f"/api/v1/visits/{foreign}/").status_code == 404
    assert client.get(f"/api/v1/calls/{foreign_call}/").status_code == 404
    assert [v["id"] for v in client.get("/api/v1/visits/").json()["results"]] == [mine]
    assert client.get("/api/v1/calls/").json()["count"] == 0
    assert client.get(f"/api/v1/pairings/{p2.pk}/card/").status_code == 404
    stolen = post_visit(cast, "town_office", visit_body(p2, dt.date(2018, 5, 8), role="first"))
    assert stolen.status_code == 400 and "结对不存在" in stolen.json()["message"]
