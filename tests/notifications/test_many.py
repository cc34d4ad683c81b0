"""notify_many: the engine's thousands of messages in a few statements, with exactly the rows and deliveries
that one notify() per message would make — keys already there skipped, also under a real race on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from notifications import services
from notifications.models import Delivery, Notification
from tests.conftest import build_cast

from .conftest import helper

CONTEXT = {"helper_name": "李明", "household_name": "张德福", "due_on": "2018年5月31日", "days_left": 7,
           "channel_label": "入户走访"}


def message(cast, key: str, **kw) -> services.Message:
    return services.Message(recipients=[helper(cast)], kind="visit_due", key=key, context=CONTEXT, **kw)


def test_sec6_many_messages_make_the_rows_one_notify_each_would(cast, channels, daytime):
    earlier = services.notify(tenant=cast.tenant, recipients=[helper(cast)], kind="visit_due", key="k:0",
                              context=CONTEXT)
    assert len(earlier) == 1
    created = services.notify_many(tenant=cast.tenant, messages=[
        message(cast, "k:0"), message(cast, "k:1", link="/my/1/"), message(cast, "k:2", obj=cast.household),
        message(cast, "k:1")])  # an earlier key and a repeat inside the call are made once
    assert sorted(n.key for n in created) == [f"k:1|user:{cast.users['first_helper'].pk}",
                                             f"k:2|user:{cast.users['first_helper'].pk}"]
    for n in created:
        stored = Notification.objects.get(pk=n.pk)
        assert (stored.key, stored.subject, stored.mobile) == (n.key, n.subject, n.mobile)
        assert sorted(Delivery.objects.filter(notification=n).values_list("channel", flat=True)) == [
            "email", "inbox", "sms"]
    assert Notification.objects.get(key__startswith="k:2|").object_type == "households.Household"
    assert Delivery.objects.count() == 9  # three notifications, three channels each, none twice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sec6_two_transactions_asking_for_the_same_keys_at_once_make_each_once():
    cast = build_cast("370683", "莱州市")
    barrier = threading.Barrier(4)
    made: list[int] = []

    def run():
        try:
            with transaction.atomic():
                barrier.wait()
                made.append(len(services.notify_many(
                    tenant=cast.tenant, messages=[message(cast, f"race:{i}") for i in range(300)])))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(made) == 300 and Notification.objects.count() == 300
    per_row = Delivery.objects.values_list("notification_id", "channel")
    assert len(per_row) == len(set(per_row))
