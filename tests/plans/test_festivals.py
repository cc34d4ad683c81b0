"""S5: festival dates come from the lunar calendar library, checked against published calendars."""

import datetime as dt

import chinese_calendar
import pytest

from workflows.deliveries.festivals import Festival, calendar, date_of


def test_s5_festival_dates_of_2018_are_the_notice_years_dates():
    # The 2018 campaign year: 端午 6-18, 中秋 9-24, 重阳 10-17, then 元旦 and 春节 of the turn of the year.
    assert {r["festival"]: r["on"] for r in calendar(2018)} == {
        "duanwu": dt.date(2018, 6, 18), "zhongqiu": dt.date(2018, 9, 24), "chongyang": dt.date(2018, 10, 17),
        "yuandan": dt.date(2019, 1, 1), "chunjie": dt.date(2019, 2, 5),
    }
    assert [r["label"] for r in calendar(2018)] == ["端午节", "中秋节", "重阳节", "元旦", "春节"]


def test_s5_festival_dates_of_2026_agree_with_the_state_council_holiday_notice():
    """国务院办公厅关于2026年部分节假日安排的通知: 春节 2月15日（农历腊月二十八）至23日（农历正月初七）, so 正月初一 is
    2月17日; 端午节 6月19日至21日 and 中秋节 9月25日至27日, each holiday starting on the festival day itself (both
    fall on a Friday). 重阳 is not a public holiday: lunar 9/9 is 24 days after 8/15 when the 8th month has 29
    days (new moons of 2026-09-11 and 2026-10-10 in Beijing time), i.e. 10月18日."""
    assert date_of(Festival.DUANWU, 2026) == dt.date(2026, 6, 19)
    assert date_of(Festival.ZHONGQIU, 2026) == dt.date(2026, 9, 25)
    assert date_of(Festival.CHONGYANG, 2026) == dt.date(2026, 10, 18)
    assert date_of(Festival.YUANDAN, 2026) == dt.date(2027, 1, 1)
    # The 春节 that closes campaign year 2025 is the one of the 2026 notice.
    assert date_of(Festival.CHUNJIE, 2025) == dt.date(2026, 2, 17)
    assert date_of(Festival.YUANDAN, 2025) == dt.date(2026, 1, 1)
    assert dt.date(2026, 6, 19).weekday() == dt.date(2026, 9, 25).weekday() == 4


@pytest.mark.parametrize("year", range(2016, 2026))
def test_s5_lunar_festivals_fall_in_the_official_holidays(year):
    """A second, independent source: chinesecalendar's tables are typed from the State Council notices. Each
    festival day is inside its official holiday (which always contains the festival day)."""
    names = {Festival.DUANWU: "Dragon Boat Festival", Festival.ZHONGQIU: "Mid-autumn Festival",
             Festival.YUANDAN: "New Year's Day"}
    for festival, name in names.items():
        day = date_of(festival, year)
        if day.year > 2026:
            continue
        on_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        # 2020 and 2023 merged 中秋 with 国庆: the day is a holiday under the National Day name.
        assert on_holiday and holiday in (name, "National Day"), (festival, day, holiday)
    spring = date_of(Festival.CHUNJIE, year - 1)
    assert chinese_calendar.get_holiday_detail(spring) == (True, "Spring Festival")


def test_s5_a_leap_fifth_month_does_not_move_duanwu():
    # 2020 had a leap 4th month and 2025 a leap 6th; 2009 and 2028 have a leap 5th month: 端午 is in the first.
    assert date_of(Festival.DUANWU, 2009) == dt.date(2009, 5, 28)
    assert date_of(Festival.DUANWU, 2020) == dt.date(2020, 6, 25)
