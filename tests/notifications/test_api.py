"""SPEC §6 and §9 resource `notifications`: one's own inbox (list, unread count, mark read), preferences, and
the permanent failures shown to the town and city office; other tenants' and other people's ids are 404."""

from __future__ import annotations

from backend.bangfu.accounts import add_user
from backend.directory.models import OrgKind
from backend.tenancy.roles import Role
from notifications import dispatch
from notifications.models import Delivery, DeliveryState, Notification
from tests.factories import OrganisationFactory

from .conftest import helper, visit_due


def delivered(cast, key="visit_due:1:2018-05", **kw) -> Notification:
    [n] = visit_due(cast, [helper(cast, **kw)], key=key)
    dispatch.deliver()
    return n


def test_sec6_inbox_lists_own_delivered_messages_and_counts_unread(cast, other, daytime):
    foreign = delivered(other, key="a")
    mine = delivered(cast, key="a")
    delivered(cast, key="b")
    visit_due(cast, [helper(cast)], key="not-yet-delivered")
    client = cast.client("first_helper")
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [r["subject"] for r in rows] == ["入户走访提醒：张德福"] * 2
    assert rows[0]["kind_label"] == "入户走访提醒" and rows[0]["read"] is False
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    assert client.get(f"/api/v1/notifications/{foreign.pk}/").status_code == 404
    assert foreign.pk not in [r["id"] for r in rows]

    read = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read"] is True
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    unread = [r["id"] for r in client.get("/api/v1/notifications/?unread=true").json()["results"]]
    assert len(unread) == 1 and mine.pk not in unread
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_sec6_nobody_reads_another_persons_inbox_not_even_the_city_office(cast, daytime):
    n = delivered(cast)
    assert not Notification.objects.visible_to(cast.actor("city_office")).exists()  # what pages and admin use
    city = cast.client("city_office")
    assert city.get("/api/v1/notifications/").json()["results"] == []
    assert city.get(f"/api/v1/notifications/{n.pk}/").status_code == 404
    assert city.post(f"/api/v1/notifications/{n.pk}/read/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_sec6_other_tenants_notification_ids_are_404(cast, other, daytime):
    foreign = delivered(other)
    client = cast.client("first_helper")
    assert client.post(f"/api/v1/notifications/{foreign.pk}/read/").status_code == 404
    body = client.get(f"/api/v1/notifications/{foreign.pk}/").json()
    assert body == {"code": "not_found", "message": body["message"], "fields": {}}


def test_sec6_read_only_roles_may_still_mark_their_own_messages_read(cast, daytime):
    from notifications.services import Recipient, notify

    user = cast.users["assessor"]
    [n] = notify(tenant=cast.tenant, recipients=[Recipient(ref=f"user:{user.pk}", name="考核", user_id=user.pk)],
                 kind="generic", key="g", context={"subject": "考核通知", "body": "请查阅。"})
    dispatch.deliver()
    assert cast.client("assessor").post(f"/api/v1/notifications/{n.pk}/read/").status_code == 200


def test_sec6_preferences_are_read_and_set_through_the_api(cast, channels, daytime):
    client = cast.client("first_helper")
    before = {k["kind"]: k["channels"] for k in client.get("/api/v1/notifications/preferences/").json()["kinds"]}
    assert before["visit_due"] == {"inbox": True, "email": True, "sms": True, "wecom": False}
    response = client.put("/api/v1/notifications/preferences/", {"choices": [
        {"kind": "visit_due", "channel": "sms", "enabled": False},
        {"kind": "", "channel": "wecom", "enabled": True}]}, format="json")
    after = {k["kind"]: k["channels"] for k in response.json()["kinds"]}
    assert after["visit_due"] == {"inbox": True, "email": True, "sms": False, "wecom": True}
    assert after["call_due"]["sms"] is True
    [n] = visit_due(cast, [helper(cast)])
    assert sorted(Delivery.objects.filter(notification=n).values_list("channel", flat=True)) == [
        "email", "inbox", "wecom"]


def test_sec6_preferences_refuse_unknown_kinds_and_switching_off_the_inbox(cast):
    client = cast.client("first_helper")
    bad = client.put("/api/v1/notifications/preferences/", {"choices": [
        {"kind": "visit_due", "channel": "inbox", "enabled": False}]}, format="json")
    assert bad.status_code == 400 and bad.json()["message"] == "第1项：站内消息始终保留，不能关闭。"
    unknown = client.put("/api/v1/notifications/preferences/", {"choices": [
        {"kind": "lottery", "channel": "sms", "enabled": True}]}, format="json")
    assert unknown.status_code == 400 and "lottery" in unknown.json()["message"]


def failed_sms(cast, gateway, key="visit_due:1:2018-05", town=True) -> Delivery:
    gateway.fail_next = [400]
    [n] = visit_due(cast, [helper(cast, email="", login=False, town=town)], key=key)
    dispatch.deliver()
    sms = Delivery.objects.get(notification=n)
    assert sms.state == DeliveryState.FAILED
    return sms


def test_sec6_permanent_failures_are_shown_to_the_city_and_the_town_office(cast, other, channels, daytime):
    sms = failed_sms(cast, channels.gateway)
    unrouted = failed_sms(cast, channels.gateway, key="no-town", town=False)
    elsewhere = failed_sms(other, channels.gateway)
    city = cast.client("city_office").get("/api/v1/notifications/failures/").json()["results"]
    assert sorted(r["id"] for r in city) == sorted([sms.pk, unrouted.pk])
    row = next(r for r in city if r["id"] == sms.pk)
    assert row["mobile"] == "138****8000" and row["channel_label"] == "短信" and "400" in row["detail"]
    assert [(a["number"], a["outcome"]) for a in row["log"]] == [(1, "failed")]
    assert elsewhere.pk not in [r["id"] for r in city]
    town = cast.client("town_office").get("/api/v1/notifications/failures/").json()["results"]
    assert [r["id"] for r in town] == [sms.pk]

    forbidden = cast.client("first_helper").get("/api/v1/notifications/failures/")
    assert forbidden.status_code == 403 and forbidden.json()["message"].startswith("只有市扶贫办和镇街扶贫办")


def test_sec6_a_town_office_sees_only_its_own_towns_failures(cast, channels, daytime):
    OrganisationFactory(tenant=cast.tenant, kind=OrgKind.TOWN, code="370683005", name="文昌路街道", unit_kind="")
    add_user(username="wc-town", tenant_code=cast.tenant.code, org_code="370683005", roles=[Role.TOWN_OFFICE],
             password="secret-pass-123")
    failed_sms(cast, channels.gateway)
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="wc-town"))
    assert client.get("/api/v1/notifications/failures/").json()["results"] == []


def test_sec6_a_permanent_failure_notifies_the_offices_inbox(cast, channels, daytime):
    sms = failed_sms(cast, channels.gateway)
    notices = Notification.objects.filter(kind="delivery_failed")
    assert sorted(n.user_id for n in notices) == sorted([cast.users["city_office"].pk, cast.users["town_office"].pk])
    dispatch.deliver()
    rows = cast.client("town_office").get("/api/v1/notifications/").json()["results"]
    assert rows[0]["subject"] == "消息发送失败：李明（短信）" and "400" in rows[0]["body"]
    assert Notification.objects.filter(key=f"delivery_failed:{sms.pk}|user:{cast.users['city_office'].pk}").exists()


def test_sec6_admin_shows_deliveries_with_their_log_and_masks_mobiles(cast, channels, daytime, admin_client):
    sms = failed_sms(cast, channels.gateway)
    page = admin_client.get(f"/admin/notifications/delivery/{sms.pk}/change/").content.decode()
    assert "永久失败" in page and "400" in page
    listing = admin_client.get("/admin/notifications/notification/").content.decode()
    assert "138****8000" in listing and "13800138000" not in listing
