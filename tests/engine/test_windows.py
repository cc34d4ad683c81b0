"""SPEC §5 / S8: compliance windows are calendar windows from 1 January, judged from end + grace + 1."""

import datetime as dt

import pytest

from workflows.engine.windows import (
    Rule,
    judgeable_windows,
    window_containing,
    windows_in_year,
)

D = dt.date


def test_s8_two_month_windows_start_on_1_january():
    assert [(w.start, w.end) for w in windows_in_year(2, 2018)][:3] == [
        (D(2018, 1, 1), D(2018, 2, 28)), (D(2018, 3, 1), D(2018, 4, 30)), (D(2018, 5, 1), D(2018, 6, 30))]
    assert len(windows_in_year(2, 2018)) == 6 and len(windows_in_year(1, 2018)) == 12
    assert windows_in_year(2, 2020)[0].end == D(2020, 2, 29)  # leap year


def test_s8_a_number_of_months_not_dividing_the_year_restarts_on_1_january():
    assert [(w.start, w.end) for w in windows_in_year(5, 2018)] == [
        (D(2018, 1, 1), D(2018, 5, 31)), (D(2018, 6, 1), D(2018, 10, 31)), (D(2018, 11, 1), D(2018, 12, 31))]


def test_s8_may_june_2018_is_judged_from_6_july_with_five_grace_days():
    may_june = window_containing(2, D(2018, 5, 17))
    assert (may_june.start, may_june.end, may_june.label) == (D(2018, 5, 1), D(2018, 6, 30), "2018年5月—6月")
    assert may_june.judgeable_from(5) == D(2018, 7, 6)
    assert may_june not in judgeable_windows(2, first_year=2018, as_of=D(2018, 7, 5), grace_days=5)
    assert judgeable_windows(2, first_year=2018, as_of=D(2018, 7, 6), grace_days=5)[-1] == may_june


def test_s8_judgeable_windows_cross_into_the_next_year():
    due = judgeable_windows(1, first_year=2018, as_of=D(2019, 1, 6), grace_days=5)
    assert due[-1].start == D(2018, 12, 1) and len(due) == 12
    assert window_containing(1, D(2019, 1, 6)).label == "2019年1月"


def test_rules_are_checked_and_name_their_miss_kind():
    rule = Rule.of({"role": "first", "channel": "phone", "months": 1})
    assert rule.miss_kind == "call" and rule.code == "first/phone/1"
    assert set(rule.qualifying_channels) == {"phone", "in_person"}  # a visit is also the month's contact
    assert Rule.of({"role": "first", "channel": "in_person", "months": 2}).qualifying_channels == ("in_person",)
    with pytest.raises(ValueError):
        Rule.of({"role": "third", "channel": "phone", "months": 1})
    with pytest.raises(ValueError):
        Rule.of({"role": "first", "channel": "phone", "months": 0})
