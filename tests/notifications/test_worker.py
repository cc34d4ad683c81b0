"""SPEC §6 with a real Celery worker on Redis and PostgreSQL: kicked on commit, delivered by the worker;
a worker killed after the gateway accepted an SMS and before its log commit does not make it deliver twice."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from backend.tenancy.models import Policy
from notifications.models import Delivery, DeliveryAttempt, DeliveryState, Notification

from .conftest import helper, visit_due
from .worker import Worker, running_worker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def purged_queue():
    from workers.app import app

    app.control.purge()  # kicks left by earlier runs point at rows that no longer exist
    yield


def worker_env(channels, **extra) -> dict[str, str]:
    return {"NOTIFY_EMAIL": "1", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(channels.smtp.port),
            "SMS_GATEWAY_URL": channels.gateway.sms_url, "SMS_GATEWAY_SECRET": channels.gateway.secret,
            "SMS_GATEWAY_VENDOR": "aliyun", **extra}


def no_quiet_hours(cast):
    # The worker runs on the real clock; the policy must not hold SMS back at night.
    Policy.objects.create(tenant=cast.tenant, sms_quiet_start=dt.time(0), sms_quiet_end=dt.time(0))


@pytest.mark.django_db(transaction=True)
def test_sec6_a_real_worker_delivers_after_commit(cast, channels, tmp_path, purged_queue):
    no_quiet_hours(cast)
    with running_worker(tmp_path / "worker.log", worker_env(channels)):
        [n] = visit_due(cast, [helper(cast)])
        assert wait_until(lambda: set(Delivery.objects.filter(notification=n).values_list("state", flat=True))
                          == {DeliveryState.DELIVERED}, timeout=60), (tmp_path / "worker.log").read_text()
    assert len(channels.smtp.messages()) == 1 and len(channels.gateway.accepted) == 1
    assert Notification.objects.inbox_of(cast.actor("first_helper")).get() == n


@pytest.mark.django_db(transaction=True)
def test_sec6_worker_killed_after_send_before_log_commit_does_not_deliver_twice(cast, channels, tmp_path,
                                                                                 purged_queue):
    from workers.app import app

    no_quiet_hours(cast)
    accepted, release = threading.Event(), threading.Event()

    def hold_the_answer(body):
        accepted.set()
        release.wait(30)  # the worker is killed while it waits for this answer

    channels.gateway.on_accept = hold_the_answer
    env = worker_env(channels, NOTIFY_LEASE_SECONDS="3")
    log = tmp_path / "worker.log"
    first = Worker(log, env).start()
    try:
        [n] = visit_due(cast, [helper(cast, email="", login=False)])
        assert accepted.wait(60), log.read_text()
        first.kill()
    finally:
        release.set()
        first.stop()
    sms = Delivery.objects.get(notification=n)
    assert sms.state == DeliveryState.SENDING and len(channels.gateway.accepted) == 1
    assert list(DeliveryAttempt.objects.filter(delivery=sms).values_list("outcome", flat=True)) == ["started"]

    channels.gateway.on_accept = None
    with running_worker(log, env):
        time.sleep(3.5)  # the dead worker's lease runs out
        app.send_task("notifications.sweep")
        assert wait_until(lambda: Delivery.objects.get(pk=sms.pk).state == DeliveryState.DELIVERED), log.read_text()
    sms.refresh_from_db()
    requests = channels.gateway.sms()
    assert len(requests) == 2 and {r["body"]["request_id"] for r in requests} == {sms.request_id}
    assert len(channels.gateway.accepted) == 1  # the gateway delivered once
    assert sms.provider_id == channels.gateway.accepted[sms.request_id]
    assert list(DeliveryAttempt.objects.filter(delivery=sms).values_list("outcome", flat=True)) == [
        "interrupted", "delivered"]


@pytest.mark.django_db(transaction=True)
def test_sec6_two_workers_claiming_at_once_never_take_the_same_row(cast, settings):
    """The conditional UPDATE under real concurrency: threads with their own PostgreSQL connections."""
    from django.db import connection

    from notifications import dispatch
    from notifications.services import Recipient, notify

    settings.NOTIFY_BATCH = 100
    users = [Recipient(ref=f"r{i}", name=f"甲{i}", user_id=cast.users["first_helper"].pk) for i in range(300)]
    notify(tenant=cast.tenant, recipients=users, kind="generic", key="race", context={"subject": "测", "body": "试"})
    barrier, taken = threading.Barrier(4), []

    def worker():
        try:
            barrier.wait()
            _, rows = dispatch.claim()
            taken.append([r.pk for r in rows])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [pk for batch in taken for pk in batch]
    assert len(claimed) == len(set(claimed)) and len(claimed) >= 100
    # Skipping rows locked by another claimant, the claims split the due rows instead of queueing on them.
    assert sum(1 for batch in taken if batch) >= 2
