"""China's business calendar for due dates: the library's statutory holidays and make-up workdays, an
editable override table for other years, and the policy's choice to move a due date off a holiday."""

import datetime as dt
from types import SimpleNamespace

from workflows.engine.models import CalendarDay
from workflows.engine.workdays import BusinessCalendar

D = dt.date
SHIFT, KEEP = SimpleNamespace(shift_due_dates_off_holidays=True), SimpleNamespace(shift_due_dates_off_holidays=False)


def test_statutory_holidays_and_make_up_workdays_of_2018(db):
    cal = BusinessCalendar()
    assert not cal.is_workday(D(2018, 10, 1))  # National Day
    assert cal.is_workday(D(2018, 9, 29))  # a Saturday worked in lieu
    assert cal.is_workday(D(2018, 2, 11))  # a Sunday worked before the Spring Festival
    assert not cal.is_workday(D(2018, 2, 16))  # Spring Festival
    assert cal.is_workday(D(2018, 3, 21)) and not cal.is_workday(D(2018, 3, 25))  # Wednesday; Sunday


def test_a_due_date_on_a_holiday_moves_to_the_next_workday_when_the_policy_says_so(db):
    cal = BusinessCalendar()
    assert cal.due_date(D(2018, 10, 3), SHIFT) == D(2018, 10, 8)  # after the National Day week
    assert cal.due_date(D(2018, 2, 17), SHIFT) == D(2018, 2, 22)  # after the Spring Festival
    assert cal.due_date(D(2018, 4, 10), SHIFT) == D(2018, 4, 10)  # already a workday
    assert cal.due_date(D(2018, 10, 3), KEEP) == D(2018, 10, 3)


def test_the_override_table_covers_years_the_library_does_not_know(db):
    assert BusinessCalendar().is_workday(D(2031, 1, 1))  # unknown year: weekdays only, with a warning
    CalendarDay.objects.create(date=D(2031, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(date=D(2031, 1, 4), is_workday=True, name="元旦调休")  # a Saturday
    cal = BusinessCalendar()
    assert not cal.is_workday(D(2031, 1, 1)) and cal.is_workday(D(2031, 1, 4))
    assert cal.due_date(D(2031, 1, 1), SHIFT) == D(2031, 1, 2)


def test_an_override_wins_over_the_library(db):
    CalendarDay.objects.create(date=D(2018, 10, 8), is_workday=False, name="本地调整")
    assert BusinessCalendar().due_date(D(2018, 10, 3), SHIFT) == D(2018, 10, 9)
