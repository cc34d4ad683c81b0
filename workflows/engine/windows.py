"""Compliance windows (SPEC §5, S8): pure date arithmetic, no queries and no clock.

For a frequency rule of `months` months, a year is cut into calendar windows from 1 January (2 months:
Jan–Feb, Mar–Apr, …). Windows restart every 1 January, so with a number that does not divide 12 the year's
last window is shorter. A window ending on day D is judged from D + grace_days + 1 on, so late entries count.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from backend.fieldwork.models import Channel, HelperRole

# What satisfies a rule: any in-person visit also counts as the month's contact for a phone rule.
QUALIFYING_CHANNELS = {Channel.IN_PERSON: (Channel.IN_PERSON,), Channel.PHONE: (Channel.PHONE, Channel.IN_PERSON)}


@dataclass(frozen=True, order=True)
class Rule:
    role: str
    channel: str
    months: int

    @classmethod
    def of(cls, raw: dict) -> Rule:
        rule = cls(role=raw["role"], channel=raw["channel"], months=int(raw["months"]))
        if rule.role not in HelperRole.values or rule.channel not in Channel.values or not 1 <= rule.months <= 12:
            raise ValueError(f"invalid frequency rule {raw!r}")
        return rule

    @property
    def code(self) -> str:
        return f"{self.role}/{self.channel}/{self.months}"

    @property
    def qualifying_channels(self) -> tuple[str, ...]:
        return tuple(str(c) for c in QUALIFYING_CHANNELS[Channel(self.channel)])

    @property
    def miss_kind(self) -> str:
        return "visit" if self.channel == Channel.IN_PERSON else "call"


@dataclass(frozen=True, order=True)
class Window:
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def months(self) -> tuple[int, int]:
        """First and last month; a window never crosses a year."""
        return self.start.month, self.end.month

    def judgeable_from(self, grace_days: int) -> dt.date:
        return self.end + dt.timedelta(days=grace_days + 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        first, last = self.months
        return f"{self.year}年{first}月" if first == last else f"{self.year}年{first}月—{last}月"

    @property
    def text(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def windows_in_year(months: int, year: int) -> list[Window]:
    out = []
    for first in range(1, 13, months):
        last = min(first + months - 1, 12)
        out.append(Window(dt.date(year, first, 1), month_end(year, last)))
    return out


def window_containing(months: int, day: dt.date) -> Window:
    return next(w for w in windows_in_year(months, day.year) if w.contains(day))


def judgeable_windows(months: int, *, first_year: int, as_of: dt.date, grace_days: int) -> list[Window]:
    """Every window from `first_year` whose judging day has come by `as_of`, oldest first."""
    return [w for year in range(first_year, as_of.year + 1) for w in windows_in_year(months, year)
            if w.judgeable_from(grace_days) <= as_of]
