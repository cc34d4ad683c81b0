"""Fixtures of the plans area: an active pairing of the fixed cast, a frozen clock in 2018."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import PAIRED_ON
from workflows.pairings import services as pairings


def at_noon(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                               tick=False)


def activate(cast, household, first, second, met_on=dt.date(2018, 3, 22)):
    office = cast.actor("city_office")
    p = pairings.assign(actor=office, household=household, first_helper=first, second_helper=second, on=PAIRED_ON)
    return pairings.activate(actor=office, pairing=p, met_on=met_on)


@pytest.fixture
def pairing(cast):
    return activate(cast, cast.household, cast.first_helper, cast.second_helper)


TODAY = dt.date(2018, 5, 10)


@pytest.fixture
def today():
    with at_noon(TODAY):
        yield TODAY


def another_pairing(cast, *, village=None, unit=None, met_on=dt.date(2018, 3, 22), **household):
    """A further household of the cast's tenant with its own first helper (of `unit`, on its roster for the
    town) and second helper; proposed only when `met_on` is None."""
    from tests import factories as f

    village = village or cast.village
    first = f.PersonFactory(organisation=unit or cast.unit)
    f.put_on_roster(first, village.town)
    second = f.PersonFactory(organisation=village.town)
    h = f.HouseholdFactory(village=village, **household)
    if met_on is None:
        office = cast.actor("city_office")
        return pairings.assign(actor=office, household=h, first_helper=first, second_helper=second, on=PAIRED_ON)
    return activate(cast, h, first, second, met_on=met_on)


def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 40), (10, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def data_url(raw: bytes) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(raw).decode()
