"""The demo tenant: 莱州市's 17 towns and 附件5 contacts (real), and generated villages, units with A6
quotas, cadres, households and pairings that obey every rule (S1–S3, S10). Deterministic for a seed."""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from importlib import resources

from dateutil.relativedelta import relativedelta
from django.db import transaction

from backend.common.validators import id_check_digit
from backend.directory.models import (
    HelperCategory,
    Organisation,
    OrgKind,
    Person,
    TownContact,
    UnitKind,
    UnitQuota,
    Village,
)
from backend.households.models import Household, Member
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor
from workflows.core.models import TransitionLog
from workflows.pairings.models import Pairing, PairingState
from workflows.pairings.services import check_eligibility

from . import names, seed_plans, seed_workflows
from .seed_visits import seed_visits

LAIZHOU = "370683"
BATCH = 2000
PAIRED_ON = dt.date(2018, 3, 19)  # the day after the notice of 2018-03-18
UNIT_POSITIONS = ("科员", "科员", "科员", "副主任科员", "主任科员", "副科长", "科长", "办事员", "副主任", "工程师", "会计")
TOWN_POSITIONS = ("科员", "副镇长", "扶贫办科员", "经管站工作人员", "人大副主席", "党委委员", "办事员", "民政办主任")
VILLAGE_POSITIONS = ("村党支部书记", "村委会主任", "村会计", "村妇女主任", "村党支部委员")
DEPUTY_POSITIONS = ("市人大代表", "市党代表", "市政协委员")


def _rows(name: str) -> list[dict]:
    text = resources.files("backend.bangfu").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass
class Stats:
    towns: int = 0
    contacts: int = 0
    villages: int = 0
    units: int = 0
    people: int = 0
    households: int = 0
    members: int = 0
    pairings: int = 0
    visits: int = 0
    extra: dict = field(default_factory=dict)


class Generator:
    def __init__(self, *, code: str, name: str, households: int, seed: int):
        self.code, self.name, self.n, self.rng = code, name, households, random.Random(seed)
        self.local = name.removesuffix("市")
        self.ids: set[str] = set()
        self.stats = Stats()

    # -- identity numbers -------------------------------------------------------------------------
    def id_number(self, born: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "01" else 0)
            body = f"{self.code}{born:%Y%m%d}{seq:03d}"
            number = body + id_check_digit(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    # -- directory ---------------------------------------------------------------------------------
    def directory(self, tenant: Tenant) -> None:
        rng = self.rng
        orgs = [
            Organisation(tenant=tenant, code="leading-group", kind=OrgKind.LEADING_GROUP, name=f"{self.name}扶贫开发领导小组"),
            Organisation(tenant=tenant, code="city-office", kind=OrgKind.CITY_OFFICE, name=f"{self.name}扶贫开发领导小组办公室",
                         short_name="市扶贫办"),
            Organisation(tenant=tenant, code="org-dept", kind=OrgKind.DEPARTMENT, name=f"中共{self.name}委组织部"),
            Organisation(tenant=tenant, code="hr-bureau", kind=OrgKind.DEPARTMENT, name=f"{self.name}人力资源和社会保障局"),
        ]
        self.towns = [Organisation(tenant=tenant, code=self.code + r["code"][6:], kind=OrgKind.TOWN, name=r["name"],
                                   short_name=r["short_name"]) for r in _rows("laizhou-towns.csv")]
        self.units = [Organisation(tenant=tenant, code=r["code"], kind=OrgKind.UNIT, unit_kind=r["unit_kind"],
                                   name=r["name"].replace("莱州", self.local)) for r in _rows("units.csv")]
        Organisation.objects.bulk_create(orgs + self.towns + self.units)
        self.stats.towns, self.stats.units = len(self.towns), len(self.units)
        by_short = {t.short_name: t for t in self.towns}
        contacts = []
        if self.code == LAIZHOU:
            for i, r in enumerate(_rows("laizhou-town-contacts.csv")):
                contacts.append(TownContact(tenant=tenant, town=by_short[r["town_short_name"]], name=r["name"],
                                            position=r["position"], office_phone=r["office_phone"],
                                            mobile=r["mobile"], order=i % 2))
        else:
            rng = random.Random(f"{self.code}-contacts")  # own stream: households stay identical across tenants
            for town in self.towns:
                for i, position in enumerate(("副镇长", "扶贫办工作人员")):
                    contacts.append(TownContact(tenant=tenant, town=town, name=names.person_name(rng, "01"),
                                                position=f"{town.short_name}{position}", mobile=names.mobile(rng), order=i))
        TownContact.objects.bulk_create(contacts)
        self.stats.contacts = len(contacts)

    # -- households ----------------------------------------------------------------------------------
    def households(self, tenant: Tenant, policy: Policy) -> None:
        rng = self.rng
        weights = [rng.uniform(0.5, 1.5) for _ in self.towns]
        shares = [max(1, round(self.n * w / sum(weights))) for w in weights]
        shares[-1] = max(1, self.n - sum(shares[:-1]))
        self.villages: dict[int, list[Village]] = {}
        self.in_scope: dict[int, list[Household]] = {}
        villages, households, members = [], [], []
        for town, count in zip(self.towns, shares, strict=True):
            taken: set[str] = set()
            town_villages = [Village(tenant=tenant, town=town, code=f"{town.code}{i + 1:03d}",
                                     name=names.village_name(rng, taken)) for i in range(max(3, math.ceil(count / 12)))]
            villages += town_villages
            self.villages[town.pk] = town_villages
            for i in range(count):
                village = town_villages[i % len(town_villages)]
                household, people = self.household(tenant, village, i)
                households.append(household)
                members.append(people)
        Village.objects.bulk_create(villages, batch_size=BATCH)
        for start in range(0, len(households), BATCH):
            Household.objects.bulk_create(households[start:start + BATCH])
        for household, people in zip(households, members, strict=True):
            for m in people:
                m.household = household
            if household.in_scope(policy, 2018):
                self.in_scope.setdefault(household.village.town_id, []).append(household)
        flat = [m for people in members for m in people]
        for start in range(0, len(flat), BATCH):
            Member.objects.bulk_create(flat[start:start + BATCH])
        self.stats.villages, self.stats.households, self.stats.members = len(villages), len(households), len(flat)

    def household(self, tenant: Tenant, village: Village, i: int) -> tuple[Household, list[Member]]:
        rng = self.rng
        roll = rng.random()
        status, identified = ("1", rng.randint(2014, 2016)) if roll < 0.83 else \
            ("3", rng.randint(2014, 2016)) if roll < 0.88 else ("0", 2018) if roll < 0.95 else ("4", rng.randint(2014, 2015))
        size = rng.choices((1, 2, 3, 4, 5), weights=(30, 35, 15, 12, 8))[0]
        head_sex = "01" if rng.random() < 0.7 else "02"
        head_born = dt.date(rng.randint(1930, 1975), rng.randint(1, 12), rng.randint(1, 28))
        people = [self.member(tenant, "01", head_sex, head_born)]
        if size >= 2:
            spouse_sex = "02" if head_sex == "01" else "01"
            people.append(self.member(tenant, "02", spouse_sex, head_born + dt.timedelta(days=rng.randint(-1500, 1500))))
        while len(people) < size:
            child_born = head_born + relativedelta(years=rng.randint(20, 32), days=rng.randint(0, 300))
            if child_born > dt.date(2017, 12, 31):
                child_born = dt.date(2017, rng.randint(1, 12), rng.randint(1, 28))
            sex = rng.choice(("01", "02"))
            people.append(self.member(tenant, "03" if sex == "01" else "04", sex, child_born))
        main_cause = rng.choices(("1", "2", "3", "8", "7", "9", "11", "4"), weights=(40, 20, 5, 15, 8, 6, 4, 2))[0]
        others = rng.sample([c for c in ("1", "2", "7", "8", "9") if c != main_cause], k=rng.choice((0, 0, 1, 2)))
        household = Household(
            tenant=tenant, code=f"{village.code}{i:04d}", village=village, address=f"{village.name}{rng.randint(1, 9)}组",
            head_name=people[0].name, phone=names.mobile(rng) if rng.random() < 0.8 else "", size=size, status=status,
            attribute=rng.choices(("01", "04", "06"), weights=(70, 22, 8))[0] if status != "1" else
            rng.choices(("05", "02", "03"), weights=(70, 22, 8))[0],
            standard="02", main_cause=main_cause, other_causes=others, identified_year=identified,
            exited_year=rng.randint(2015, 2017) if status in ("1", "4") else None,
        )
        return household, people

    def member(self, tenant: Tenant, relation: str, sex: str, born: dt.date) -> Member:
        rng = self.rng
        age = 2018 - born.year
        student = 6 <= age <= 18
        health = ["01"] if rng.random() < 0.45 else rng.sample(["02", "03", "04"], k=rng.choice((1, 1, 2)))
        labour = "01" if 18 <= age <= 60 and health == ["01"] else \
            rng.choice(("03", "04", "05")) if age > 60 or health != ["01"] else "05"
        return Member(
            tenant=tenant, name=names.person_name(rng, sex), relation=relation, id_number=self.id_number(born, sex),
            sex=sex, health=health, labour=labour,
            education="" if student else ("06" if age < 6 else rng.choice(("01", "02", "02", "03", "03", "04"))),
            school_status=("02" if age <= 12 else "03" if age <= 15 else "06") if student else "",
            phone="",
        )

    # -- quotas, cadres, pairings -----------------------------------------------------------------
    def helpers(self, tenant: Tenant) -> None:
        """A6 quotas cover every in-scope household; units staff them with party-member cadres."""
        rng = self.rng
        need = {t.pk: len(self.in_scope.get(t.pk, [])) for t in self.towns}
        total = sum(need.values())
        weights = [rng.uniform(0.4, 2.0) for _ in self.units]
        capacity = [max(1, round(total * w / sum(weights))) for w in weights]
        capacity[-1] = max(0, total - sum(capacity[:-1]))
        quotas: list[UnitQuota] = []
        towns = [t for t in self.towns if need[t.pk]]
        ti = 0
        for unit, cap in zip(self.units, capacity, strict=True):
            while cap and ti < len(towns):
                take = min(cap, need[towns[ti].pk])
                quotas.append(UnitQuota(tenant=tenant, unit=unit, town=towns[ti], count=take))
                cap -= take
                need[towns[ti].pk] -= take
                if not need[towns[ti].pk]:
                    ti += 1
        UnitQuota.objects.bulk_create(quotas)
        category = {UnitKind.CITY_AGENCY: HelperCategory.CITY_AGENCY, UnitKind.STATIONED: HelperCategory.STATIONED,
                    UnitKind.SOE: HelperCategory.SOE}
        people: list[Person] = []
        self.first_pool: dict[int, list[Person]] = {}
        self.quota_people: dict[UnitQuota, list[Person]] = {}  # each unit's roster for each town (S10)
        for q in quotas:
            pool = self.first_pool.setdefault(q.town_id, [])
            for _ in range(q.count):
                p = self.cadre(tenant, q.unit, category[q.unit.unit_kind], rng.choice(UNIT_POSITIONS), party=True)
                people.append(p)
                pool.append(p)
                self.quota_people.setdefault(q, []).append(p)
        for unit in self.units:  # staff who are not helpers: non-members and spare members
            for _ in range(rng.randint(2, 6)):
                people.append(self.cadre(tenant, unit, category[unit.unit_kind], rng.choice(UNIT_POSITIONS),
                                         party=rng.random() < 0.5))
        self.second_pool: dict[int, list[Person]] = {}
        for town in self.towns:
            count = max(2, math.ceil(len(self.in_scope.get(town.pk, [])) / 4))
            pool = self.second_pool.setdefault(town.pk, [])
            for i in range(count):
                kind = rng.random()
                if kind < 0.6:
                    p = self.cadre(tenant, town, HelperCategory.TOWN_CADRE, rng.choice(TOWN_POSITIONS), party=True)
                elif kind < 0.92:
                    p = self.cadre(tenant, town, HelperCategory.VILLAGE_CADRE, rng.choice(VILLAGE_POSITIONS), party=True,
                                   village=self.villages[town.pk][i % len(self.villages[town.pk])])
                else:
                    p = self.cadre(tenant, town, HelperCategory.DEPUTY, rng.choice(DEPUTY_POSITIONS), party=rng.random() < 0.7)
                people.append(p)
                pool.append(p)
        for start in range(0, len(people), BATCH):
            Person.objects.bulk_create(people[start:start + BATCH])
        self.stats.people = len(people)

    def cadre(self, tenant, org, category, position, *, party: bool, village=None) -> Person:
        rng = self.rng
        return Person(tenant=tenant, organisation=org, village=village, name=names.person_name(rng, rng.choice(("01", "02"))),
                      position=position, phone=names.mobile(rng), party_member=party,
                      reserve_cadre=party and rng.random() < 0.25, helper_category=category)

    def pairings(self, tenant: Tenant, policy: Policy) -> None:
        """Most in-scope households are paired and met by the in-place cutoff; 2% are left for the board."""
        rng = self.rng
        actor = Actor.system_for(tenant)
        pairings = []
        for town in self.towns:
            first = list(self.first_pool.get(town.pk, []))
            second = self.second_pool[town.pk]
            load = dict.fromkeys((p.pk for p in second), 0)
            for household, helper in zip(self.in_scope.get(town.pk, []), first, strict=False):
                if rng.random() < 0.02:
                    continue
                mate = min(second, key=lambda p: (load[p.pk], p.pk))
                load[mate.pk] += 1
                check_eligibility(household=household, first_helper=helper, second_helper=mate, policy=policy, on=PAIRED_ON)
                pairings.append(Pairing(
                    tenant=tenant, household=household, first_helper=helper, second_helper=mate, first_slot=1,
                    second_slot=load[mate.pk], state=PairingState.ACTIVE, proposed_on=PAIRED_ON,
                    met_on=PAIRED_ON + dt.timedelta(days=rng.randint(0, 6)), late=False,
                    term_end=min(PAIRED_ON + relativedelta(years=policy.pairing_term_years), policy.programme_end),
                ))
        for start in range(0, len(pairings), BATCH):
            Pairing.objects.bulk_create(pairings[start:start + BATCH])
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(Pairing)
        logs = []
        for p in pairings:
            common = dict(tenant=tenant, content_type=ct, object_id=p.pk, actor_label=str(actor), policy_version=policy.version)
            logs.append(TransitionLog(transition="create", from_state="", to_state="proposed", reason="演示数据初始结对", **common))
            logs.append(TransitionLog(transition="activate", from_state="proposed", to_state="active",
                                      data={"met_on": p.met_on.isoformat(), "late": False}, **common))
        for start in range(0, len(logs), BATCH):
            TransitionLog.objects.bulk_create(logs[start:start + BATCH])
        self.stats.pairings = len(pairings)


@transaction.atomic
def seed(*, code: str = LAIZHOU, name: str = "莱州市", households: int = 2000, seed: int = 2018,
         visits_until: dt.date | None = None, campaign: bool = True) -> Stats:
    """`campaign=False` stops before the set-up campaign (S10: rosters and pairings), so it can be replayed."""
    if Tenant.objects.filter(code=code).exists():
        raise ValueError(f"tenant {code} already exists")
    tenant = Tenant.objects.create(code=code, name=name)
    policy = Policy.current(tenant)
    gen = Generator(code=code, name=name, households=households, seed=seed)
    gen.directory(tenant)
    gen.households(tenant, policy)
    gen.helpers(tenant)
    seed_plans.reference(tenant, policy)
    if not campaign:
        return gen.stats
    seed_workflows.rosters(tenant, policy, gen.quota_people, stats=gen.stats)
    gen.pairings(tenant, policy)
    if visits_until is not None:
        gen.stats.visits = seed_visits(tenant, until=visits_until, seed=seed)
    gen.stats.extra["help_plans"] = seed_plans.help_plans(tenant, policy)
    gen.stats.extra.update(seed_plans.campaigns(tenant, policy, year=PAIRED_ON.year, until=visits_until, seed=seed))
    return gen.stats
