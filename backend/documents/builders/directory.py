"""A5 town contacts and A6 allocation of first helpers (units × towns), per tenant."""

from __future__ import annotations

from collections import defaultdict

from backend.directory.models import Organisation, OrgKind, TownContact, UnitQuota

from ..request import Output, Request
from ..tables import Column, Table
from .common import office

# The notice's 附件5 header lost its second title in publication; the rows show it is the contact's name.
A5_COLUMNS = [Column("镇街", 10), Column("姓名", 8), Column("职务", 22), Column("办公电话", 10),
              Column("手机号码", 12)]


def build_a5(req: Request) -> Output:
    contacts = list(TownContact.objects.filter(tenant=req.tenant).select_related("town")
                    .order_by("town__code", "order", "id"))
    rows = [[c.town.short_name or c.town.name, c.name, c.position, c.office_phone or "无", c.mobile]
            for c in contacts]  # published in the notice: printed as given, not masked
    req.progress(len(rows), len(rows))
    table = Table(title="部门单位结对帮扶工作镇街联系人名单", columns=A5_COLUMNS, rows=rows, sheet="镇街联系人名单")
    return Output(title=table.title, filename=f"附件5-部门单位结对帮扶工作镇街联系人名单-{req.params.on:%Y%m%d}",
                  issuer=office(req.tenant, OrgKind.LEADING_GROUP), issued_on=req.params.on, tables=[table],
                  rows=len(rows), context={"attachment": "附件5"})


def build_a6(req: Request) -> Output:
    """Units down, towns across, row and column totals; only units that send someone."""
    towns = list(Organisation.objects.filter(tenant=req.tenant, kind=OrgKind.TOWN).order_by("code"))
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for unit_id, town_id, count in UnitQuota.objects.filter(tenant=req.tenant).values_list("unit_id", "town_id", "count"):
        counts[unit_id][town_id] = count
    units = list(Organisation.objects.filter(tenant=req.tenant, kind=OrgKind.UNIT, pk__in=list(counts))
                 .order_by("code"))
    columns = [Column("序号", 3, "center"), Column("部门单位", 16)]
    columns += [Column(t.short_name or t.name, 3.2, "center", number=True) for t in towns]
    columns.append(Column("合计", 3.6, "center", number=True))
    rows = []
    for i, unit in enumerate(units, 1):
        per_town = [counts[unit.pk].get(t.pk) or "" for t in towns]
        rows.append([i, unit.name, *per_town, sum(counts[unit.pk].values())])
    column_totals = [sum(counts[u.pk].get(t.pk, 0) for u in units) for t in towns]
    totals = ["", "合计", *column_totals, sum(column_totals)]
    req.progress(len(rows), len(rows))
    table = Table(title="部门单位“第一帮扶责任人”分配明细表", columns=columns, rows=rows, totals=totals,
                  meta=[("单位", "人")], sheet="分配明细表")
    return Output(title=table.title, filename=f"附件6-第一帮扶责任人分配明细表-{req.params.on:%Y%m%d}",
                  issuer=office(req.tenant, OrgKind.LEADING_GROUP), issued_on=req.params.on,
                  orientation="landscape", tables=[table], rows=len(rows), context={"attachment": "附件6"})
