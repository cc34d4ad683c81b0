"""Next visit and call due for one helper of one pairing, from the policy's frequency rules (S8, SPEC §5).

The windows are the deadline engine's (`workflows.engine.windows`); a window is met by one record of that
helper and channel in it (ContactMonth, kept by the visit services). This is a read for the helper's page;
the engine does the judging.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from backend.fieldwork.models import Channel, ContactMonth
from backend.tenancy.models import Policy
from workflows.engine import windows


@dataclass
class Due:
    channel: str
    months: int
    window_start: dt.date
    window_end: dt.date
    done: bool
    due_on: dt.date
    days: int
    last_on: dt.date | None

    @property
    def label(self) -> str:
        return Channel(self.channel).label

    @property
    def rule(self) -> str:
        per = "每月" if self.months == 1 else f"每{self.months}个月"
        return f"{per}至少{Channel(self.channel).label}1次"


def window_of(on: dt.date, months: int) -> tuple[dt.date, dt.date]:
    window = windows.window_containing(months, on)
    return window.start, window.end


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    return [(start.year, m) for m in range(start.month, end.month + 1)]


def for_pairing(pairing, role: str, policy: Policy, today: dt.date) -> list[Due]:
    rows = list(ContactMonth.objects.filter(pairing=pairing, role=role).values_list("channel", "year", "month",
                                                                                    "last_on"))
    out = []
    for rule in policy.rules_for(role):
        channel, months = rule["channel"], int(rule["months"])
        start, end = window_of(today, months)
        covered = {(y, m) for c, y, m, _ in rows if c == channel}
        done = any(ym in covered for ym in _months(start, end))
        due_on = window_of(end + dt.timedelta(days=1), months)[1] if done else end
        last = max((d for c, _, _, d in rows if c == channel), default=None)
        out.append(Due(channel, months, start, end, done, due_on, (due_on - today).days, last))
    return out
