"""The workflows world: the fixed cast plus what every machine needs, a frozen clock in April 2018, and
builders that put each machine's object into a given state through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.bangfu.accounts import add_user
from backend.directory.models import HelperCategory, OrgKind
from backend.tenancy.scoping import Actor
from tests.conftest import PAIRED_ON, Cast
from tests.factories import OrganisationFactory, PersonFactory, QuotaFactory, VillageFactory, put_on_roster
from workflows.accountability import services as escalations
from workflows.accountability.models import Miss, MissKind
from workflows.pairings import services as pairings
from workflows.replacements import services as replacements
from workflows.reporting import services as reports
from workflows.rosters import services as rosters

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2018, 4, 10)
MET_ON = dt.date(2018, 3, 22)


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@dataclass
class World:
    """The cast, a second town (370683005) whose rosters the cast's unit fills, and a clock."""

    cast: Cast
    clock: object
    town2: object
    village2: object
    roster_people: list
    miss_seq: int = 0

    def client(self, role: str):
        from rest_framework.test import APIClient

        if role == "town2_office":
            client = APIClient()
            client.force_authenticate(self.town2_user)
            return client
        return self.cast.client(role)

    def actor(self, role: str) -> Actor:
        if role == "system":
            return Actor.system_for(self.cast.tenant)
        if role == "town2_office":
            return Actor.for_user(self.town2_user)
        return self.cast.actor(role)

    def travel_to(self, day: dt.date, hour: int = 10) -> None:
        self.clock.move_to(moment(day, hour))

    # -- rosters ----------------------------------------------------------------------------------------
    def roster(self, state: str = "draft"):
        liaison, town = self.actor("unit_liaison"), self.actor("town2_office")
        roster = rosters.open_roster(actor=liaison, unit=self.cast.unit, town=self.town2)
        rosters.set_entries(actor=liaison, roster=roster,
                            entries=[rosters.EntryInput(person=p) for p in self.roster_people])
        if state == "draft":
            return roster
        rosters.submit(actor=liaison, roster=roster)
        if state == "accepted":
            rosters.accept(actor=town, roster=roster)
        elif state in ("returned", "redrafted"):
            rosters.return_to_unit(actor=town, roster=roster, reason="电话号码有误")
            if state == "redrafted":
                rosters.revise(actor=liaison, roster=roster)
        return roster

    # -- pairings ---------------------------------------------------------------------------------------
    def pairing(self, state: str = "active"):
        cast, town = self.cast, self.actor("town_office")
        p = pairings.assign(actor=town, household=cast.household, first_helper=cast.first_helper,
                            second_helper=cast.second_helper, on=PAIRED_ON)
        if state in ("active", "ended"):
            pairings.activate(actor=town, pairing=p, met_on=MET_ON)
        if state == "ended":
            pairings.end(actor=town, pairing=p, on=TODAY, reason_code="household_exited")
        return p

    def first_helper(self):
        person = PersonFactory(organisation=self.cast.unit, name="赵强")
        put_on_roster(person, self.cast.town)
        return person

    # -- replacements -----------------------------------------------------------------------------------
    def replacement(self, state: str = "filed"):
        p = self.pairing()
        r = replacements.file(actor=self.actor("town_office"), pairing=p, side="first", new_helper=self.first_helper(),
                              reason_code="transfer", effective_on=TODAY + dt.timedelta(days=61), reason="工作调动")
        if state in ("accepted", "due", "effective"):
            replacements.accept(actor=self.actor("city_office"), replacement=r)
        if state in ("due", "effective"):
            self.travel_to(r.effective_on)
        if state == "effective":
            replacements.take_effect(actor=self.actor("city_office"), replacement=r)
        elif state == "rejected":
            replacements.reject(actor=self.actor("city_office"), replacement=r, reason="理由不充分")
        return r

    # -- quarterly reports ------------------------------------------------------------------------------
    def report(self, state: str = "open"):
        self.pairing()
        town, city = self.actor("town_office"), self.actor("city_office")
        r = reports.open_report(actor=town, town=self.cast.town, year=2018, quarter=1)
        if state == "open":
            return r
        reports.compile_report(actor=town, report=r)
        if state == "compiled":
            return r
        reports.attest(actor=self.actor("second_helper"), report=r)
        reports.submit(actor=town, report=r)
        if state == "approved":
            reports.approve(actor=city, report=r)
        elif state == "returned":
            reports.return_to_town(actor=city, report=r, reason="西关村走访次数有误")
        return r

    # -- escalations ------------------------------------------------------------------------------------
    def miss(self, person=None):
        self.miss_seq += 1
        person = person or self.cast.first_helper
        return Miss.objects.create(
            tenant=self.cast.tenant, key=f"visit:test:{person.pk}:{self.miss_seq}", kind=MissKind.VISIT, year=2018,
            person=person, role="first", organisation=person.organisation, town=self.cast.town,
            household=self.cast.household, window_start=dt.date(2018, 1, 1), window_end=dt.date(2018, 2, 28),
            policy_version=self.cast.policy.version)

    def escalation(self, state: str = "open", level: int = 1):
        target = {"person": self.cast.first_helper} if level in (1, 2) else {"organisation": self.cast.unit}
        e = escalations.open_escalation(tenant=self.cast.tenant, level=level, year=2018, misses=[self.miss()],
                                        actor=self.actor("system"), reason="1—2月未入户走访", **target)
        acting = self.actor("leading_group" if level == 3 else "city_office")
        steps = ["notice_issued", "interview_scheduled", "interview_held", "closed"]
        if state == "withdrawn":
            escalations.withdraw(actor=self.actor("city_office"), escalation=e, evidence="数据错误")
            return e
        for step in steps[:steps.index(state) + 1] if state in steps else []:
            if step == "notice_issued":
                escalations.issue_notice(actor=acting, escalation=e)
            elif step == "interview_scheduled":
                escalations.schedule_interview(actor=acting, escalation=e, when=moment(TODAY + dt.timedelta(days=3)),
                                               where="市扶贫办会议室", who="市扶贫办主任")
            elif step == "interview_held":
                escalations.hold_interview(actor=acting, escalation=e, notes="已约谈，本人表示整改")
            else:
                escalations.close(actor=acting, escalation=e)
        return e


def build_world(cast: Cast, clock) -> World:
    town2 = OrganisationFactory(tenant=cast.tenant, kind=OrgKind.TOWN, code=f"{cast.tenant.code}005", name="文昌路街道",
                                unit_kind="")
    village2 = VillageFactory(tenant=cast.tenant, town=town2, code=f"{cast.tenant.code}005001", name="东关村")
    QuotaFactory(unit=cast.unit, town=town2, count=2)
    people = [PersonFactory(organisation=cast.unit, name=name, helper_category=HelperCategory.CITY_AGENCY)
              for name in ("孙伟", "周敏")]
    world = World(cast=cast, clock=clock, town2=town2, village2=village2, roster_people=people)
    world.town2_user = add_user(username=f"{cast.tenant.code}-town2", tenant_code=cast.tenant.code,
                                org_code=town2.code, roles=["town_office"], password="secret-pass-123").user
    return world


@pytest.fixture
def world(cast):
    with time_machine.travel(moment(TODAY), tick=False) as clock:
        yield build_world(cast, clock)
