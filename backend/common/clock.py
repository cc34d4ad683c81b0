"""One clock for the whole system, read in the tenant's time zone (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local_today(tz_name: str) -> dt.date:
    return now().astimezone(ZoneInfo(tz_name)).date()
