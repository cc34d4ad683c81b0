"""SPEC §6 delivery: rows first, workers deliver; SMTP, SMS gateway and WeCom robot against real servers;
retries with back-off for transient failures only; one log row per attempt."""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import hmac
import json

from notifications import dispatch
from notifications.models import Channel, Delivery, DeliveryAttempt, DeliveryState, Notification, Outcome

from .conftest import MOBILE, helper, visit_due


def deliveries(n: Notification) -> dict[str, Delivery]:
    return {d.channel: d for d in Delivery.objects.filter(notification=n)}


def test_sec6_creating_a_notification_sends_nothing_and_kicks_one_job_per_transaction(
        cast, channels, daytime, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = visit_due(cast, [helper(cast)], key="a")
        second = visit_due(cast, [helper(cast)], key="b")
    assert channels.gateway.requests == [] and channels.smtp.messages() == []
    rows = Delivery.objects.filter(notification__in=first + second)
    assert {d.state for d in rows} == {DeliveryState.PENDING}
    assert sorted(d.channel for d in rows) == sorted(["inbox", "email", "sms"] * 2)
    # Both notify() calls of the transaction share one kick, carrying every new delivery.
    assert enqueued == [("notifications.deliver", {"ids": sorted(d.pk for d in rows)})]


def test_sec6_delivers_to_inbox_smtp_and_sms_gateway(cast, channels, daytime):
    [n] = visit_due(cast, [helper(cast)])
    assert Notification.objects.inbox_of(cast.actor("first_helper")).count() == 0  # not yet delivered
    assert dispatch.deliver() == 3
    by_channel = deliveries(n)
    assert {c: d.state for c, d in by_channel.items()} == {c: "delivered" for c in ("inbox", "email", "sms")}
    assert Notification.objects.inbox_of(cast.actor("first_helper")).get() == n

    [mail] = channels.smtp.messages()
    assert channels.smtp.subject(mail) == "入户走访提醒：张德福"
    assert mail["To"] == "liming@example.cn"
    assert mail["Message-ID"] == f"<{by_channel['email'].request_id}@bangfu>"
    text = mail.get_payload(decode=True).decode(mail.get_content_charset())
    assert "李明同志" in text and "2018年5月31日" in text and "/pairings/1/" in text
    assert by_channel["email"].provider_id.startswith("2.0.0 Ok: queued as ")

    [sms] = channels.gateway.sms()
    body = sms["body"]
    assert body["mobile"] == MOBILE and body["vendor"] == "aliyun" and body["sign_name"] == "莱州市扶贫办"
    assert body["template_id"] == "SMS_100001" and body["request_id"] == by_channel["sms"].request_id
    assert body["params"]["household_name"] == "张德福" and body["params"]["due_on"] == "2018年5月31日"
    assert body["content"].startswith("李明同志：您帮扶的张德福户入户走访须在2018年5月31日前完成")
    assert by_channel["sms"].provider_id == channels.gateway.accepted[body["request_id"]]
    log = DeliveryAttempt.objects.filter(delivery__notification=n)
    assert [(a.channel, a.outcome) for a in log.order_by("channel")] == [
        ("email", "delivered"), ("inbox", "delivered"), ("sms", "delivered")]


def test_sec6_sms_signature_is_hmac_of_timestamp_and_exact_body(cast, channels, daytime):
    visit_due(cast, [helper(cast, email="")])
    dispatch.deliver()
    [sms] = channels.gateway.sms()
    headers = sms["headers"]
    raw = json.dumps(sms["body"], ensure_ascii=False, separators=(",", ":")).encode()
    assert headers["X-Signature"] == hmac.new(b"gateway-secret", headers["X-Timestamp"].encode() + b"." + raw,
                                              hashlib.sha256).hexdigest()
    assert headers["X-Request-Id"] == sms["body"]["request_id"]


def test_sec6_a_wrong_secret_is_a_permanent_failure(cast, channels, daytime, settings):
    settings.SMS_GATEWAY_SECRET = "not-the-secret"
    [n] = visit_due(cast, [helper(cast, email="")])
    dispatch.deliver()
    sms = deliveries(n)["sms"]
    assert sms.state == DeliveryState.FAILED and "401" in sms.detail and sms.attempts == 1
    assert channels.gateway.accepted == {}


def test_sec6_wecom_robot_receives_its_real_message_format(cast, channels, daytime):
    [n] = visit_due(cast, [helper(cast, email="")], kind="miss_recorded")
    dispatch.deliver()
    [post] = channels.gateway.wecom()
    assert post["path"] == "/cgi-bin/webhook/send?key=test-robot"
    assert post["body"] == {"msgtype": "text", "text": {
        "content": "【帮扶工作未履职记录：李明】李明同志：您对张德福户2018年3月—4月未完成入户走访，已记录未履职一次，详情请登录系统查看。",
        "mentioned_mobile_list": [MOBILE]}}
    assert deliveries(n)["wecom"].state == DeliveryState.DELIVERED


def test_sec6_gateway_failing_twice_then_succeeding_gives_one_message_and_three_attempts(
        cast, channels, daytime, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    channels.gateway.fail_next = [503, 502]
    [n] = visit_due(cast, [helper(cast, email="")])
    dispatch.deliver()
    sms = deliveries(n)["sms"]
    assert sms.state == DeliveryState.PENDING and sms.due_at == dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    assert dispatch.deliver() == 0  # not due before its back-off has passed
    daytime.shift(dt.timedelta(seconds=60))
    dispatch.deliver()
    sms.refresh_from_db()
    assert sms.due_at == dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)  # doubled
    daytime.shift(dt.timedelta(seconds=120))
    dispatch.deliver()
    sms.refresh_from_db()
    assert sms.state == DeliveryState.DELIVERED and sms.attempts == 3
    assert len(channels.gateway.accepted) == 1 and len(channels.gateway.sms()) == 3
    log = list(DeliveryAttempt.objects.filter(delivery=sms).values_list("number", "outcome", "provider_id"))
    assert log == [(1, "retry", ""), (2, "retry", ""), (3, "delivered", sms.provider_id)]
    assert sms.provider_id == next(iter(channels.gateway.accepted.values()))


def test_sec6_transient_failures_give_up_after_the_attempt_limit(cast, channels, daytime, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    channels.gateway.fail_next = [503] * 5
    [n] = visit_due(cast, [helper(cast, email="")])
    for _ in range(3):
        dispatch.deliver()
        daytime.shift(dt.timedelta(hours=1))
    sms = deliveries(n)["sms"]
    assert sms.state == DeliveryState.FAILED and sms.attempts == 3
    assert list(sms.log.values_list("outcome", flat=True)) == ["retry", "retry", "failed"]


def test_sec6_smtp_refusals_tell_retry_from_give_up(cast, channels, daytime):
    [busy] = visit_due(cast, [helper(cast, email="busy@example.cn", mobile="")], key="busy")
    [gone] = visit_due(cast, [helper(cast, email="bounce@example.cn", mobile="")], key="gone")
    dispatch.deliver()
    busy_mail, gone_mail = deliveries(busy)["email"], deliveries(gone)["email"]
    assert busy_mail.state == DeliveryState.PENDING and "451" in busy_mail.detail
    assert gone_mail.state == DeliveryState.FAILED and "550" in gone_mail.detail
    assert channels.smtp.messages() == []


def test_sec6_smtp_server_down_is_retried(cast, settings, daytime, gateway):
    from .servers import free_port

    settings.NOTIFY_EMAIL_ENABLED, settings.EMAIL_HOST, settings.EMAIL_PORT = True, "127.0.0.1", free_port()
    [n] = visit_due(cast, [helper(cast, mobile="")])
    dispatch.deliver()
    mail = deliveries(n)["email"]
    assert mail.state == DeliveryState.PENDING and mail.attempts == 1 and "无法连接邮件服务器" in mail.detail


def test_sec6_a_broker_outage_loses_nothing_the_sweep_delivers(cast, channels, daytime, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from celery import current_app

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(current_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        [n] = visit_due(cast, [helper(cast)])
    assert {d.state for d in deliveries(n).values()} == {DeliveryState.PENDING}
    assert dispatch.sweep() == 3
    assert {d.state for d in deliveries(n).values()} == {DeliveryState.DELIVERED}


def test_sec6_a_lapsed_lease_is_reclaimed_and_the_open_attempt_marked_interrupted(cast, channels, daytime, settings):
    """A worker that died mid-send leaves its row `sending` with an open attempt; after the lease another
    worker takes it, closes that attempt as interrupted and sends with the same request id."""
    settings.NOTIFY_LEASE_SECONDS = 120
    visit_due(cast, [helper(cast, email="", login=False)])
    token, [row] = dispatch.claim()
    dispatch.start_attempts([row])  # ... and the worker dies here
    assert dispatch.deliver() == 0  # held by the lease
    daytime.shift(dt.timedelta(seconds=121))
    assert dispatch.deliver() == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.DELIVERED and row.attempts == 2
    assert list(row.log.values_list("outcome", flat=True)) == [Outcome.INTERRUPTED, Outcome.DELIVERED]
    # The dead worker's late answer changes nothing.
    dispatch.record(token, [(row, "late")], {row.pk: row.log.first()})
    row.refresh_from_db()
    assert row.provider_id != "late"


def test_sec6_a_claimed_row_is_not_claimed_again(cast, channels, daytime):
    visit_due(cast, [helper(cast)])
    _, first = dispatch.claim()
    _, second = dispatch.claim()
    assert len(first) == 3 and second == []


def test_sec6_channels_off_by_configuration_are_not_routed(cast, settings, daytime):
    settings.NOTIFY_EMAIL_ENABLED, settings.SMS_GATEWAY_URL, settings.WECOM_WEBHOOK_URL = False, "", ""
    [n] = visit_due(cast, [helper(cast)], kind="miss_recorded")
    assert list(deliveries(n)) == [Channel.INBOX]


def test_sec6_mobiles_stay_encrypted_at_rest(cast, channels, daytime):
    from django.db import connection

    [n] = visit_due(cast, [helper(cast)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM notifications_notification WHERE id = %s", [n.pk])
        [stored] = cursor.fetchone()
        assert stored.startswith("v1:") and MOBILE not in stored
        cursor.execute("SELECT address_index FROM notifications_delivery WHERE channel = 'sms'")
        assert MOBILE not in cursor.fetchone()[0]
    _ = email.policy  # the stdlib e-mail package parses what the SMTP server stored


def test_sec6_rows_rolled_back_with_a_savepoint_are_not_kicked(cast, channels, daytime, enqueued,
                                                                django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                visit_due(cast, [helper(cast)], key="undone")
                raise RuntimeError("the caller's work failed")
        except RuntimeError:
            pass
        [kept] = visit_due(cast, [helper(cast)], key="kept")
    assert enqueued == [("notifications.deliver", {"ids": sorted(d.pk for d in kept.deliveries.all())})]


def test_sec6_wecom_error_codes_tell_retry_from_give_up(cast, channels, daytime):
    channels.gateway.wecom_errcodes = [45009, 93000]  # frequency limit, then an invalid robot key
    [n] = visit_due(cast, [helper(cast, email="", mobile="", login=False)], kind="miss_recorded")
    wecom = deliveries(n)["wecom"]
    dispatch.deliver()
    wecom.refresh_from_db()
    assert wecom.state == DeliveryState.PENDING and "45009" in wecom.detail
    daytime.shift(dt.timedelta(minutes=1))
    dispatch.deliver()
    wecom.refresh_from_db()
    assert wecom.state == DeliveryState.FAILED and "93000" in wecom.detail


def test_sec6_sms_gateway_throttling_is_retried(cast, channels, daytime):
    channels.gateway.fail_next = [429]
    [n] = visit_due(cast, [helper(cast, email="", login=False)])
    dispatch.deliver()
    assert deliveries(n)["sms"].state == DeliveryState.PENDING


def test_sec6_a_batch_near_the_end_of_its_lease_gives_the_rest_back(cast, channels, daytime, settings):
    import time

    for key in ("a", "b"):
        visit_due(cast, [helper(cast, mobile="", login=False)], key=key)
    token, rows = dispatch.claim()
    batch = dispatch.Batch(token)
    batch.started = time.monotonic() - settings.NOTIFY_LEASE_SECONDS  # as if the sends had taken that long
    batch.run(rows)
    assert channels.smtp.messages() == []
    assert {(d.state, d.claim, d.attempts) for d in Delivery.objects.all()} == {(DeliveryState.PENDING, "", 0)}
    assert dispatch.deliver() == 2 and len(channels.smtp.messages()) == 2


def test_sec6_notification_jobs_are_registered_tasks():
    from notifications.services import DELIVER, SWEEP
    from workers.app import app

    app.loader.import_default_modules()
    assert {DELIVER, SWEEP} <= set(app.tasks)
    assert app.amqp.router.route({}, DELIVER)["queue"].name == "notifications"


def test_sec6_a_slow_server_stops_the_batch_before_the_lease_can_pass(cast, channels, daytime, monkeypatch, settings):
    """The first e-mail takes most of the lease; the worker records it and gives the other one back unsent."""
    from notifications import transports

    for key in ("a", "b"):
        visit_due(cast, [helper(cast, mobile="", login=False)], key=key)
    token, rows = dispatch.claim()
    batch = dispatch.Batch(token)
    send = transports.Email.notify

    def slow(self, message):
        batch.started -= settings.NOTIFY_LEASE_SECONDS  # as if this send had taken the whole lease
        return send(self, message)

    monkeypatch.setattr(transports.Email, "notify", slow)
    batch.run(rows)
    states = sorted((d.state, d.attempts, d.log.count()) for d in Delivery.objects.all())
    assert states == [(DeliveryState.DELIVERED, 1, 1), (DeliveryState.PENDING, 0, 0)]
    assert len(channels.smtp.messages()) == 1
