"""§5 and S8: ContactMonth stays exactly what the visits say, through entries, re-dating and voids, and under
concurrent writers (PostgreSQL), so the engine can judge windows without scanning visits."""

import datetime as dt
import random
import threading

import pytest
from django.db import connection, connections

from backend.fieldwork import contacts, services
from backend.fieldwork.images import Upload
from backend.fieldwork.models import ContactMonth, Visit
from tests.conftest import PAIRED_ON

from .conftest import at_noon, png

SIGNED = {"helper_signature": Upload(png()), "household_sign_method": "signature",
          "household_signer_name": "张德福", "household_signature": Upload(png())}


def record(cast, pairing, on, role="first_helper", channel="in_person"):
    extra = SIGNED if channel == "in_person" else {}
    return services.record(actor=cast.actor(role), pairing=pairing, channel=channel, occurred_on=on,
                           items=["policy"], **extra)


def assert_exact(tenant):
    assert contacts.actual(ContactMonth.objects.filter(tenant=tenant)) == contacts.expected(
        Visit.objects.filter(tenant=tenant))


def test_s8_months_count_records_per_role_and_channel(cast, pairing):
    with at_noon(dt.date(2018, 5, 31)):
        record(cast, pairing, dt.date(2018, 5, 26))
        record(cast, pairing, dt.date(2018, 5, 28))
        record(cast, pairing, dt.date(2018, 5, 27), channel="phone")
        record(cast, pairing, dt.date(2018, 5, 30), role="second_helper")
    rows = {(r.role, r.channel, r.month): (r.count, r.last_on) for r in ContactMonth.objects.all()}
    assert rows == {("first", "in_person", 5): (2, dt.date(2018, 5, 28)),
                    ("first", "phone", 5): (1, dt.date(2018, 5, 27)),
                    ("second", "in_person", 5): (1, dt.date(2018, 5, 30))}


def test_s8_months_stay_exact_under_random_entries_edits_and_voids(cast, pairing):
    rng = random.Random(20180319)
    office = cast.actor("town_office")
    days = [PAIRED_ON + dt.timedelta(days=d) for d in range(0, 120)]
    live: list[Visit] = []
    with at_noon(dt.date(2018, 7, 20)):
        for step in range(150):
            op = rng.choice(["add", "add", "add", "redate", "void"]) if live else "add"
            if op == "add":
                role, channel = rng.choice([("first", "in_person"), ("first", "phone"), ("second", "in_person")])
                extra = SIGNED if channel == "in_person" else {}
                live.append(services.record(actor=office, pairing=pairing, channel=channel, role=role,
                                            occurred_on=rng.choice(days), items=["policy"], reason="补录", **extra))
            elif op == "redate":
                visit = rng.choice(live)
                services.edit(actor=office, visit=visit, changes={"occurred_on": rng.choice(days)}, reason="更正")
            else:
                visit = live.pop(rng.randrange(len(live)))
                services.void(actor=office, visit=visit, reason="作废")
            assert_exact(cast.tenant), f"step {step}: {op}"
    assert ContactMonth.objects.count() > 3 and not ContactMonth.objects.filter(count__lt=1).exists()


def test_voiding_the_last_record_of_a_month_moves_last_on_back_and_then_removes_the_row(cast, pairing):
    with at_noon(dt.date(2018, 5, 31)):
        early = record(cast, pairing, dt.date(2018, 5, 27))
        late = record(cast, pairing, dt.date(2018, 5, 29))
        services.void(actor=cast.actor("first_helper"), visit=late, reason="录错户")
        assert ContactMonth.objects.get().last_on == dt.date(2018, 5, 27)
        services.void(actor=cast.actor("first_helper"), visit=early, reason="录错户")
    assert not ContactMonth.objects.exists()


def test_rebuild_recreates_the_months_from_the_visits(cast, pairing):
    with at_noon(dt.date(2018, 5, 31)):
        record(cast, pairing, dt.date(2018, 5, 28))
        record(cast, pairing, dt.date(2018, 5, 30), channel="phone")
    ContactMonth.objects.all().delete()
    assert contacts.rebuild(cast.tenant) == 2
    assert_exact(cast.tenant)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_s8_months_stay_exact_under_concurrent_writers(cast, pairing):
    """Eight threads record, re-date and void visits of one pairing at once, in the same few months."""
    office = cast.actor("town_office")
    days = [dt.date(2018, 4, 1) + dt.timedelta(days=d) for d in range(0, 61)]
    with at_noon(dt.date(2018, 5, 31)):
        seeds = [services.record(actor=office, pairing=pairing, channel="phone", role="first", occurred_on=d,
                                 items=["policy"], reason="补录") for d in days[::10]]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        rng = random.Random(n)
        try:
            barrier.wait()
            with at_noon(dt.date(2018, 5, 31)):
                for i in range(12):
                    if n % 4 == 0 and i < len(seeds) and (i + n) % 3 == 0:
                        try:
                            services.void(actor=office, visit=seeds[i], reason="并发作废")
                        except Exception as exc:  # another thread voided it first
                            if "已作废" not in str(exc):
                                raise
                    else:
                        v = services.record(actor=office, pairing=pairing, channel="phone", role="first",
                                            occurred_on=rng.choice(days), items=["policy"], reason="补录")
                        if i % 4 == 3:
                            services.edit(actor=office, visit=v, changes={"occurred_on": rng.choice(days)},
                                          reason="更正")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert connection.vendor == "postgresql"
    assert_exact(cast.tenant)
    assert sum(ContactMonth.objects.values_list("count", flat=True)) == Visit.objects.valid().count()
