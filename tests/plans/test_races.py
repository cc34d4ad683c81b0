"""Concurrent requests on PostgreSQL: one draft per pairing, one completion per delivery, one start per
campaign, whatever arrives at the same instant."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from backend.common.errors import Conflict
from backend.fieldwork.images import Upload
from tests.conftest import build_cast
from workflows.deliveries import services as deliveries
from workflows.deliveries.models import Delivery
from workflows.plans import services as plans
from workflows.plans.models import HelpPlan

from .conftest import activate, png

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ITEM = {"measure": "01", "content": "种植", "expected_benefit": "增收", "starts_on": dt.date(2018, 4, 1),
        "ends_on": dt.date(2018, 12, 31)}


def race(n: int, job) -> list[str]:
    barrier = threading.Barrier(n)
    results: list[str] = []

    def run():
        try:
            barrier.wait()
            job()
            results.append("ok")
        except Conflict as e:  # includes a stale transition
            results.append(e.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.fixture
def world():
    with time_machine.travel(dt.datetime(2018, 5, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        cast = build_cast("370683", "莱州市")
        pairing = activate(cast, cast.household, cast.first_helper, cast.second_helper)
        yield cast, pairing


def test_a4_one_draft_when_six_keepers_draft_at_once(world):
    cast, pairing = world
    office = cast.actor("city_office")
    results = race(6, lambda: plans.create(actor=office, pairing=pairing, headline="并发", items=[ITEM]))
    assert results.count("ok") == 1 and results.count("conflict") == 5
    assert HelpPlan.objects.filter(pairing=pairing).count() == 1
    assert connection.vendor == "postgresql"


def test_s5_one_start_and_one_completion_under_a_race(world):
    cast, pairing = world
    office = cast.actor("city_office")
    campaign = deliveries.plan(actor=office, year=2018, festival="duanwu", goods="粽子", budget="100")
    results = race(4, lambda: deliveries.start(actor=office, campaign=type(campaign).objects.get(pk=campaign.pk)))
    assert results.count("ok") == 1 and set(results) - {"ok"} <= {"stale", "transition_not_allowed"}
    assert Delivery.objects.filter(campaign=campaign).count() == 1
    delivery = Delivery.objects.get()
    helper = cast.actor("first_helper")
    results = race(5, lambda: deliveries.complete(actor=helper, delivery=delivery, delivered_on=dt.date(2018, 5, 10),
                                                  receipt_sign_method="signature", receipt_signer_name="张德福",
                                                  signature=Upload(png())))
    assert results == ["conflict"] * 4 + ["ok"]
