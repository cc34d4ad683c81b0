"""One clock for the whole system, read in the tenant's time zone (SPEC §5).

The demo replays the 2018 campaign, so its clock can run a whole number of days behind (or ahead of) the
wall clock: `BANGFU_CLOCK_OFFSET_DAYS` (settings). Business dates and deadlines read this clock; Django's own
bookkeeping (sessions, auto_now stamps) keeps the wall clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    offset = getattr(settings, "BANGFU_CLOCK_OFFSET_DAYS", 0)
    return timezone.now() + dt.timedelta(days=offset) if offset else timezone.now()


def local_today(tz_name: str) -> dt.date:
    return now().astimezone(ZoneInfo(tz_name)).date()
