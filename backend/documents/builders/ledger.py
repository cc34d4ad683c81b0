"""A1 帮扶责任工作台账: per town, every household with helpers (or in scope and still waiting for them)."""

from __future__ import annotations

from django.db.models import Q

from backend.households.models import Household
from backend.tenancy.models import Policy
from workflows.pairings.models import Pairing
from workflows.plans.selectors import published_plans

from ..request import Output, Request
from ..tables import Column, Table
from .common import CodeLabels, address, town_office

A1_COLUMNS = [
    Column("序号", 3.5, "center"),
    Column("贫困户姓名", 7),
    Column("家庭地址\n(镇街、村)", 12),
    Column("致贫原因", 8),
    Column("帮扶措施", 13),
    Column("联系方式", 8.5),
    Column("第一帮扶\n责任人姓名", 7),
    Column("工作单位及职务", 12.5),
    Column("联系方式", 8.5),
    Column("第二帮扶\n责任人姓名", 7),
    Column("工作单位及职务", 12.5),
    Column("联系方式", 8.5),
]


def pairings_on(tenant, on, **filters):
    """Pairings in force on a day: proposed by then and not ended by then, deterministic order."""
    return (Pairing.objects.filter(tenant=tenant, proposed_on__lte=on, **filters)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
            .select_related("first_helper__organisation", "second_helper__organisation")
            .order_by("household_id", "-proposed_on", "-id"))


def by_household(pairings) -> dict[int, Pairing]:
    chosen: dict[int, Pairing] = {}
    for p in pairings:
        chosen.setdefault(p.household_id, p)  # the latest one in force
    return chosen


def households_on(tenant, on, paired_ids, **place):
    """Households of a town or village in scope that year (S1) or with helpers on the day."""
    policy = Policy.current(tenant, on)
    here = Household.objects.filter(tenant=tenant, **place)
    return (here.filter(Q(pk__in=here.in_scope(policy, on.year).values("pk")) | Q(pk__in=paired_ids))
            .select_related("village__town").order_by("village__code", "code", "id"))


def measures_text(plan: dict | None) -> str:
    """帮扶措施 of the published help plan: “产业扶贫：入股合作社分红；健康扶贫：…”."""
    if not plan:
        return ""
    return "；".join(f"{m['measure_label']}：{m['content']}" for m in plan["measures"]) or plan["headline"]


def helper_cells(person, personal) -> list[str]:
    if person is None:
        return ["", "", ""]
    return [person.name, person.unit_position, personal.phone(person.phone, f"directory.Person:{person.pk}")]


def build_a1(req: Request) -> Output:
    tenant, town, on = req.tenant, req.params.town, req.params.on
    pairings = by_household(pairings_on(tenant, on, household__village__town=town))
    households = list(households_on(tenant, on, list(pairings), village__town=town))
    codes = CodeLabels("cause")
    plans = published_plans(p.pk for p in pairings.values())
    rows = []
    total = len(households)
    for i, h in enumerate(households, 1):
        p = pairings.get(h.pk)
        rows.append([
            i, h.head_name, address(h), "、".join(codes.many("cause", h.causes)),
            measures_text(plans.get(p.pk) if p else None),
            req.personal.phone(h.phone, f"households.Household:{h.pk}"),
            *helper_cells(p.first_helper if p else None, req.personal),
            *helper_cells(p.second_helper if p else None, req.personal),
        ])
        if i % 100 == 0 or i == total:
            req.progress(i, total)
    table = Table(title="帮扶责任工作台账", columns=A1_COLUMNS, rows=rows, meta=[("镇（街）", town.name)],
                  sheet="帮扶责任工作台账")
    return Output(title="帮扶责任工作台账", filename=f"附件1-帮扶责任工作台账-{town.name}-{on:%Y%m%d}",
                  issuer=town_office(town), issued_on=on, orientation="landscape", tables=[table], rows=total,
                  context={"attachment": "附件1"})
