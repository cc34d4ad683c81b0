"""The menu each role sees. A page that is not built yet is simply not listed."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor

# (label, url name, roles that see it; empty = everyone)
MENU: list[tuple[str, str, tuple[str, ...]]] = [
    ("首页", "web:home", ()),
    ("我的帮扶户", "web:my-households", (Role.FIRST_HELPER, Role.SECOND_HELPER)),
    ("名单报送", "web:unit-rosters", (Role.UNIT_LIAISON,)),
    ("本单位帮扶责任人", "web:unit-helpers", (Role.UNIT_LIAISON,)),
    ("名单审核", "web:town-rosters", (Role.TOWN_OFFICE,)),
    ("结对安排", "web:pairing-board", (Role.TOWN_OFFICE, Role.CITY_OFFICE)),
    ("更换备案", "web:replacements", (Role.TOWN_OFFICE, Role.CITY_OFFICE)),
    ("季度报告", "web:reports", (Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.SECOND_HELPER)),
    ("收入明细表", "web:income-statements", (Role.TOWN_OFFICE,)),
    ("未履职与免责", "web:misses", (Role.TOWN_OFFICE, Role.CITY_OFFICE)),
    ("工作看板", "web:dashboard", (Role.CITY_OFFICE, Role.LEADING_GROUP, Role.OPERATOR, Role.ASSESSOR)),
    ("督导检查", "web:inspections", (Role.CITY_OFFICE,)),
    ("节日慰问", "web:deliveries", (Role.CITY_OFFICE, Role.TOWN_OFFICE)),
    ("问责处理", "web:escalations", (Role.CITY_OFFICE, Role.LEADING_GROUP, Role.UNIT_LIAISON)),
    ("单位考核", "web:scorecards", (Role.LEADING_GROUP, Role.CITY_OFFICE, Role.ASSESSOR)),
    ("文件下载", "web:documents", (Role.CITY_OFFICE, Role.TOWN_OFFICE, Role.UNIT_LIAISON, Role.OPERATOR,
                                 Role.LEADING_GROUP, Role.ASSESSOR)),
    ("消息", "web:inbox", ()),
]


def items_for(actor: Actor) -> list[tuple[str, str]]:
    out = []
    for label, name, roles in MENU:
        if roles and not (actor.system or actor.has(*roles)):
            continue
        try:
            out.append((label, reverse(name)))
        except NoReverseMatch:  # the page's area has not landed yet
            continue
    return out
