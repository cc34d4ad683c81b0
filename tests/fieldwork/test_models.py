"""The fieldwork records' own guarantees: code list as data, one contact-month row per key, append-only log."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from backend.fieldwork.codes import item_labels
from backend.fieldwork.models import ContactMonth
from tests.conftest import PAIRED_ON
from workflows.pairings import services as pairings


def test_s4_visit_items_are_a_code_list_in_the_table(db):
    labels = item_labels()
    assert labels["policy"] == "宣传普及扶贫政策"
    assert {"bang", "fu", "song"} <= set(labels)


def test_contact_month_is_unique_per_pairing_role_channel_month(cast):
    pairing = pairings.assign(actor=cast.actor("town_office"), household=cast.household,
                              first_helper=cast.first_helper, second_helper=cast.second_helper, on=PAIRED_ON)
    key = dict(tenant=cast.tenant, pairing=pairing, role="first", channel="phone", year=2018, month=4)
    ContactMonth.objects.create(count=1, last_on=dt.date(2018, 4, 2), **key)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactMonth.objects.create(count=1, last_on=dt.date(2018, 4, 3), **key)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactMonth.objects.create(count=0, last_on=dt.date(2018, 5, 3), **{**key, "month": 5})
