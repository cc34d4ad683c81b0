"""China's business calendar for due dates: statutory holidays and make-up workdays (调休).

The `chinesecalendar` library knows the State Council's published years; `CalendarDay` rows override it and
cover years it does not know yet. A year known to neither falls back to weekends only, and says so in the
log, because a due date must still be computable.
"""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

from .models import CalendarDay

log = logging.getLogger(__name__)

MAX_SHIFT_DAYS = 30  # the longest run of holidays (Spring Festival plus weekends) is far shorter


class BusinessCalendar:
    """Workday arithmetic with the override table read once per instance (one query, not one per date)."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None):
        self.overrides = overrides if overrides is not None else dict(
            CalendarDay.objects.values_list("date", "is_workday"))
        self._warned: set[int] = set()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("no holiday data for %s: add its holidays to 节假日调整; using weekends only", day.year)
            return day.weekday() < 5

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a workday, else the first workday after it."""
        for offset in range(MAX_SHIFT_DAYS + 1):
            candidate = day + dt.timedelta(days=offset)
            if self.is_workday(candidate):
                return candidate
        raise ValueError(f"no workday within {MAX_SHIFT_DAYS} days after {day}; check 节假日调整")

    def due_date(self, day: dt.date, policy) -> dt.date:
        """A submission due date: moved off a holiday to the next workday when the policy says so."""
        return self.next_workday(day) if policy.shift_due_dates_off_holidays else day


def submitted_late(today: dt.date, due: dt.date, policy) -> bool:
    """Whether a submission made `today` misses `due`, judged as the engine judges overdue items."""
    return today > due and today > BusinessCalendar().due_date(due, policy)
