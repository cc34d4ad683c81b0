"""SPEC §6 routing: per-person preferences by kind and channel, SMS quiet hours from the policy, the
per-recipient SMS limit, and de-duplication keys — with a frozen clock."""

from __future__ import annotations

import datetime as dt

import time_machine

from backend.tenancy.models import Policy
from notifications import dispatch, routing, services
from notifications.models import Channel, Delivery, DeliveryAttempt, DeliveryState, Notification

from .conftest import SHANGHAI, helper, visit_due


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def sms_of(n: Notification) -> Delivery:
    return Delivery.objects.get(notification=n, channel=Channel.SMS)


def test_sec6_quiet_window_arithmetic():
    q = lambda at, start=dt.time(21), end=dt.time(8): routing.quiet_until(at, "Asia/Shanghai", start, end)  # noqa: E731
    assert q(local(2018, 5, 7, 20, 59)) is None
    assert q(local(2018, 5, 7, 21, 0)) == local(2018, 5, 8, 8, 0)
    assert q(local(2018, 5, 8, 3, 15)) == local(2018, 5, 8, 8, 0)
    assert q(local(2018, 5, 8, 8, 0)) is None
    assert q(local(2018, 5, 8, 13, 0), dt.time(12), dt.time(14)) == local(2018, 5, 8, 14, 0)
    assert q(local(2018, 5, 8, 13, 0), dt.time(12), dt.time(12)) is None
    # The tenant's zone decides: 14:00 UTC is 22:00 in Shanghai.
    assert q(dt.datetime(2018, 5, 7, 14, 0, tzinfo=dt.UTC)) == local(2018, 5, 8, 8, 0)


def test_sec6_sms_asked_for_in_quiet_hours_waits_for_the_morning(cast, channels):
    with time_machine.travel(local(2018, 5, 7, 22, 30), tick=False) as clock:
        [n] = visit_due(cast, [helper(cast)])
        assert sms_of(n).due_at == local(2018, 5, 8, 8, 0)
        assert dispatch.deliver() == 2  # inbox and e-mail go at once; SMS is not due
        assert channels.gateway.requests == [] and len(channels.smtp.messages()) == 1
        clock.move_to(local(2018, 5, 8, 7, 59))
        assert dispatch.deliver() == 0
        clock.move_to(local(2018, 5, 8, 8, 0))
        assert dispatch.deliver() == 1
    assert sms_of(n).state == DeliveryState.DELIVERED and len(channels.gateway.accepted) == 1


def test_sec6_a_retry_falling_in_quiet_hours_is_deferred_without_an_attempt(cast, channels, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 3600
    channels.gateway.fail_next = [503]
    with time_machine.travel(local(2018, 5, 7, 20, 30), tick=False) as clock:
        [n] = visit_due(cast, [helper(cast, email="", login=False)])
        dispatch.deliver()
        clock.move_to(local(2018, 5, 7, 21, 30))  # the back-off ends inside quiet hours
        assert dispatch.deliver() == 1
        sms = sms_of(n)
        assert sms.state == DeliveryState.PENDING and sms.due_at == local(2018, 5, 8, 8, 0)
        assert "免打扰" in sms.detail and sms.attempts == 1
        clock.move_to(local(2018, 5, 8, 8, 0))
        dispatch.deliver()
    sms.refresh_from_db()
    assert sms.state == DeliveryState.DELIVERED
    assert list(DeliveryAttempt.objects.filter(delivery=sms).values_list("outcome", flat=True)) == ["retry", "delivered"]


def test_sec6_quiet_hours_come_from_the_tenants_policy(cast, channels):
    Policy.objects.create(tenant=cast.tenant, sms_quiet_start=dt.time(12), sms_quiet_end=dt.time(14))
    with time_machine.travel(local(2018, 5, 7, 22, 30), tick=False):
        [night] = visit_due(cast, [helper(cast)], key="night")
        assert sms_of(night).due_at == local(2018, 5, 7, 22, 30)
    with time_machine.travel(local(2018, 5, 7, 12, 30), tick=False):
        [noon] = visit_due(cast, [helper(cast)], key="noon")
        assert sms_of(noon).due_at == local(2018, 5, 7, 14, 0)


def test_sec6_per_recipient_sms_limit_defers_the_excess_by_the_hour(cast, channels):
    Policy.objects.create(tenant=cast.tenant, sms_per_recipient_per_hour=2)
    with time_machine.travel(local(2018, 5, 7, 10, 0), tick=False) as clock:
        visit_due(cast, [helper(cast, email="", login=False)], key="a")
        dispatch.deliver()
        clock.move_to(local(2018, 5, 7, 10, 20))
        visit_due(cast, [helper(cast, email="", login=False)], key="b")
        visit_due(cast, [helper(cast, email="", login=False)], key="c")
        # Someone else is not held back by this recipient's limit.
        [other] = visit_due(cast, [helper(cast, email="", login=False, mobile="13900139000")], key="d")
        dispatch.deliver()
        assert len(channels.gateway.accepted) == 3
        held = Delivery.objects.get(state=DeliveryState.PENDING)
        assert held.due_at == local(2018, 5, 7, 11, 0)
        assert held.detail == "超过每人每小时2条短信上限，顺延至2018-05-07 11:00"
        assert held.attempts == 0 and sms_of(other).state == DeliveryState.DELIVERED
        clock.move_to(local(2018, 5, 7, 11, 0))
        dispatch.deliver()
    held.refresh_from_db()
    assert held.state == DeliveryState.DELIVERED and len(channels.gateway.accepted) == 4


def test_sec6_the_same_key_twice_at_the_same_instant_makes_one_message(cast, channels, daytime):
    """The engine run twice (or on two workers) asks twice with the same key: one row, one SMS."""
    first = visit_due(cast, [helper(cast)])
    again = visit_due(cast, [helper(cast)])
    assert len(first) == 1 and again == []
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 3
    dispatch.deliver()
    dispatch.deliver()
    assert len(channels.gateway.sms()) == 1 and len(channels.smtp.messages()) == 1


def test_sec6_the_gateway_drops_a_resent_request_id(cast, channels, daytime):
    """A retry after a lost acknowledgement carries the same request id; the gateway answers 409 and we
    record the message as delivered, with the provider id of the first acceptance."""
    [n] = visit_due(cast, [helper(cast, email="", login=False)])
    dispatch.deliver()
    sms = sms_of(n)
    first_id = sms.provider_id
    Delivery.objects.filter(pk=sms.pk).update(state=DeliveryState.PENDING)  # as if the answer had been lost
    dispatch.deliver()
    sms.refresh_from_db()
    assert [r["body"]["request_id"] for r in channels.gateway.sms()] == [sms.request_id] * 2
    assert len(channels.gateway.accepted) == 1
    assert sms.state == DeliveryState.DELIVERED and sms.provider_id == first_id


def test_sec6_request_ids_differ_by_tenant_key_and_channel():
    ids = {routing.request_id(t, k, c) for t in (1, 2) for k in ("a|user:1", "b|user:1") for c in ("sms", "email")}
    assert len(ids) == 8 and routing.request_id(1, "a", "sms") == routing.request_id(1, "a", "sms")


def test_sec6_preferences_by_kind_and_channel(cast, channels, daytime):
    actor = cast.actor("first_helper")
    services.set_preferences(actor=actor, choices=[
        {"kind": "visit_due", "channel": "sms", "enabled": False},  # no SMS for visit reminders
        {"kind": "", "channel": "email", "enabled": False},  # no e-mail at all ...
        {"kind": "miss_recorded", "channel": "email", "enabled": True},  # ... except for misses
        {"kind": "miss_recorded", "channel": "wecom", "enabled": False},
    ])
    [visit] = visit_due(cast, [helper(cast)], key="v")
    [miss] = visit_due(cast, [helper(cast)], key="m", kind="miss_recorded")
    channels_of = lambda n: sorted(Delivery.objects.filter(notification=n).values_list("channel", flat=True))  # noqa: E731
    assert channels_of(visit) == ["inbox"]
    assert channels_of(miss) == ["email", "inbox", "sms"]


def test_sec6_without_a_login_the_kinds_defaults_apply(cast, channels, daytime):
    services.set_preferences(actor=cast.actor("first_helper"), choices=[
        {"kind": "", "channel": "sms", "enabled": False}])
    [n] = visit_due(cast, [helper(cast, login=False)])
    assert sorted(Delivery.objects.filter(notification=n).values_list("channel", flat=True)) == ["email", "sms"]
