"""What is due for the person signed in: counts and deadlines with days left, per role they hold.

Reads only; the numbers come from the records and the tenant's current policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from backend.common import clock
from backend.directory.models import UnitQuota
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from notifications import selectors as inbox_selectors
from workflows.accountability.models import Miss
from workflows.pairings.models import Pairing, PairingState


@dataclass
class Count:
    label: str
    value: int
    url: str = ""
    warn: bool = False


@dataclass
class Deadline:
    label: str
    on: dt.date
    days: int


@dataclass
class Section:
    title: str
    counts: list[Count] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


def today(actor: Actor) -> dt.date:
    return clock.local_today(actor.tenant.time_zone)


def _deadline(label: str, on: dt.date, now: dt.date) -> Deadline:
    return Deadline(label, on, (on - now).days)


def unpaired_households(actor: Actor, policy: Policy, year: int):
    """In-scope households (S1) without an open pairing, that the actor may see."""
    open_households = Pairing.objects.open().values("household_id")
    return (Household.objects.visible_to(actor).in_scope(policy, year)
            .exclude(pk__in=open_households))


def _url(name: str) -> str:
    try:
        return reverse(name)
    except Exception:  # the page of another area has not landed
        return ""


def sections(actor: Actor) -> list[Section]:
    now = today(actor)
    policy = Policy.current(actor.tenant, now)
    out: list[Section] = []
    if actor.has(Role.FIRST_HELPER, Role.SECOND_HELPER) and actor.person is not None:
        out.append(_helper(actor, policy, now))
    if actor.has(Role.UNIT_LIAISON):
        out.append(_unit(actor, policy, now))
    if actor.has(Role.TOWN_OFFICE):
        out.append(_office(actor, policy, now, f"{actor.organisation.name}扶贫办"))
    if actor.has(Role.CITY_OFFICE, Role.OPERATOR, Role.LEADING_GROUP, Role.ASSESSOR):
        out.append(_office(actor, policy, now, f"{actor.tenant.name}全市"))
    inbox = Section("消息", counts=[Count("未读消息", inbox_selectors.unread_count(actor), _url("web:inbox"))])
    out.append(inbox)
    return out


def _helper(actor: Actor, policy: Policy, now: dt.date) -> Section:
    person = actor.person
    mine = Pairing.objects.visible_to(actor).open().filter(Q(first_helper=person) | Q(second_helper=person))
    proposed = mine.filter(state=PairingState.PROPOSED).count()
    section = Section("我的帮扶", counts=[
        Count("帮扶户", mine.count(), _url("web:my-households")),
        Count("待首次入户见面", proposed, _url("web:my-households"), warn=proposed > 0),
        Count("本年未履职记录", Miss.objects.visible_to(actor).counting().filter(person=person, year=now.year).count(),
              warn=True),
    ])
    if proposed:
        section.deadlines.append(_deadline("首次入户见面（到位）截止", policy.in_place_cutoff, now))
    return section


def _unit(actor: Actor, policy: Policy, now: dt.date) -> Section:
    unit = actor.organisation
    quota = sum(UnitQuota.objects.filter(tenant=actor.tenant, unit=unit).values_list("count", flat=True))
    paired = Pairing.objects.open().filter(tenant=actor.tenant, first_helper__organisation=unit).count()
    section = Section(f"{unit.name}", counts=[
        Count("分配的第一帮扶责任人名额", quota, _url("web:unit-rosters")),
        Count("已结对的第一帮扶责任人", paired, _url("web:unit-helpers")),
        Count("本年未履职记录", Miss.objects.visible_to(actor).counting().filter(year=now.year).count(),
              _url("web:unit-helpers"), warn=True),
    ])
    if now <= policy.roster_cutoff:
        section.deadlines.append(_deadline("第一帮扶责任人名单报送截止", policy.roster_cutoff, now))
    return section


def _office(actor: Actor, policy: Policy, now: dt.date, title: str) -> Section:
    unpaired = unpaired_households(actor, policy, now.year).count()
    proposed = Pairing.objects.visible_to(actor).filter(state=PairingState.PROPOSED).count()
    misses = Miss.objects.visible_to(actor).counting().filter(year=now.year).count()
    board = _url("web:pairing-board")
    section = Section(title, counts=[
        Count("尚未安排帮扶责任人的贫困户", unpaired, board, warn=unpaired > 0),
        Count("已结对待首次见面", proposed, board),
        Count("本年未履职记录", misses, _url("web:misses"), warn=misses > 0),
    ])
    if now <= policy.roster_cutoff:
        section.deadlines.append(_deadline("部门单位名单报送截止", policy.roster_cutoff, now))
    if unpaired or proposed:
        section.deadlines.append(_deadline("帮扶责任人全部到位截止", policy.in_place_cutoff, now))
    return section
