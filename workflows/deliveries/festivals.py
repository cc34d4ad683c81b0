"""The festivals of S5 and their dates, computed with lunar-python for any year (never typed in).

A campaign year Y runs like the notice's year of giving: 端午, 中秋 and 重阳 of Y, then 元旦 on 1 January
of Y+1 and 春节 on the first day of the lunar year that begins after them (2018's 春节 campaign is for
2019-02-05). Lunar dates use the regular (non-leap) month: 端午 is the 5th of the 5th month even in a year
with a leap 5th month.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from lunar_python import Lunar


class Festival(models.TextChoices):
    DUANWU = "duanwu", "端午节"
    ZHONGQIU = "zhongqiu", "中秋节"
    CHONGYANG = "chongyang", "重阳节"
    YUANDAN = "yuandan", "元旦"
    CHUNJIE = "chunjie", "春节"


# (lunar year offset, lunar month, lunar day) for the lunar festivals of a campaign year.
_LUNAR = {
    Festival.DUANWU: (0, 5, 5),
    Festival.ZHONGQIU: (0, 8, 15),
    Festival.CHONGYANG: (0, 9, 9),
    Festival.CHUNJIE: (1, 1, 1),
}


def date_of(festival: str, year: int) -> dt.date:
    """The Gregorian date of `festival` in campaign year `year`."""
    festival = Festival(festival)
    if festival == Festival.YUANDAN:
        return dt.date(year + 1, 1, 1)
    offset, month, day = _LUNAR[festival]
    solar = Lunar.fromYmd(year + offset, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def calendar(year: int) -> list[dict]:
    """Every festival of a campaign year with its date, in date order: what the city office plans from."""
    rows = [{"festival": f.value, "label": f.label, "on": date_of(f, year)} for f in Festival]
    return sorted(rows, key=lambda r: r["on"])
