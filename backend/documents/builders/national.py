"""S11: the helper sync to the national system, per town: who helps each household, since when, and what
changed in the period, in the national field layout and codes (backend/documents/data/national-export.json,
docs/national-export.md).

A helper's assignment to a household is a *span*: consecutive pairings of the household with the same person
in the same role merge into one (replacing the first helper does not restart the second helper's span).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from importlib import resources

from backend.households.models import Member
from workflows.pairings.models import EndReason, Pairing

from ..request import Output, Request
from ..tables import Column, Table
from .common import town_office


@functools.cache
def layout() -> dict:
    return json.loads(resources.files("backend.documents").joinpath("data/national-export.json").read_text("utf-8"))


@dataclass
class Span:
    household: object
    role: str
    helper: object
    start: dt.date
    end: dt.date | None
    end_reason: str
    predecessor: Span | None = None


def spans(pairings) -> list[Span]:
    """Pairings ordered by household and start → one span per (household, role, unbroken helper)."""
    out: list[Span] = []
    last: dict[tuple[int, str], Span] = {}
    for p in pairings:
        for role, helper in (("first", p.first_helper), ("second", p.second_helper)):
            key = (p.household_id, role)
            previous = last.get(key)
            if (previous is not None and previous.helper.pk == helper.pk and previous.end is not None
                    and 0 <= (p.proposed_on - previous.end).days <= 1):
                previous.end, previous.end_reason = p.ended_on, p.end_reason  # the same helper carries on
                continue
            span = Span(p.household, role, helper, p.proposed_on, p.ended_on, p.end_reason, predecessor=previous)
            out.append(span)
            last[key] = span
    return out


def change_of(span: Span, start: dt.date | None, end: dt.date) -> str:
    if span.end is not None and (start is None or span.end >= start) and span.end <= end:
        return "ended"
    if start is None or span.start >= start:
        return "replaced" if span.predecessor is not None else "added"
    return "unchanged"


def build_national(req: Request) -> Output:
    spec, town, on = layout(), req.params.town, req.params.on
    start, end = req.params.quarter_span if req.params.quarter else (None, on)
    pairings = (Pairing.objects.filter(tenant=req.tenant, household__village__town=town, proposed_on__lte=end)
                .select_related("household__village__town", "first_helper__organisation",
                                "second_helper__organisation")
                .order_by("household__village__code", "household__code", "proposed_on", "id"))
    chosen = [s for s in spans(pairings) if s.end is None or start is None or s.end >= start]
    heads = dict(Member.objects.filter(household__in={s.household.pk for s in chosen}, relation="01")
                 .values_list("household_id", "id_number"))
    reasons = dict(EndReason.choices)
    fmt = spec["date_format"]
    rows = []
    for i, s in enumerate(chosen, 1):
        h, person, change = s.household, s.helper, change_of(s, start, end)
        reason_span = s if change == "ended" else s.predecessor if change == "replaced" else None
        subject = f"households.Household:{h.pk}"
        values = {
            "seq": i, "village_code": h.village.code, "town": h.village.town.name, "village": h.village.name,
            "household_code": h.code, "head_name": h.head_name,
            "head_id": req.personal.id_number(heads.get(h.pk), subject, "members.id_number"),
            "helper_name": person.name, "helper_role": spec["helper_role"][s.role]["code"],
            "unit": person.organisation.name, "position": person.position,
            "phone": req.personal.phone(person.phone, f"directory.Person:{person.pk}"),
            "affiliation": spec["affiliation"]["by_category"].get(person.helper_category, ""),
            "start": s.start.strftime(fmt), "end": s.end.strftime(fmt) if s.end and s.end <= end else "",
            "change": spec["change"][change]["code"],
            "reason": reasons.get(reason_span.end_reason, "") if reason_span else "",
        }
        rows.append([values[c["key"]] for c in spec["columns"]])
        if i % 200 == 0 or i == len(chosen):
            req.progress(i, len(chosen))
    columns = [Column(f"{c['title']}\n({c['code']})" if c["code"] else c["title"], 3 if c["key"] == "seq" else 8,
                      "center" if c["key"] == "seq" else "left", c["key"] == "seq") for c in spec["columns"]]
    period = f"{start:%Y-%m-%d}至{end:%Y-%m-%d}" if start else f"截至{end:%Y-%m-%d}"
    table = Table(title="帮扶责任人信息同步表", columns=columns, rows=rows, sheet="帮扶责任人",
                  meta=[("镇（街）", town.name), ("期间", period)])
    return Output(title=table.title, filename=f"全国系统帮扶责任人同步-{town.name}-{end:%Y%m%d}",
                  issuer=town_office(town), issued_on=on, orientation="landscape", tables=[table, codes_table(spec)],
                  rows=len(rows))


def codes_table(spec: dict) -> Table:
    rows = [["帮扶责任人类别", v["code"], v["label"]] for v in spec["helper_role"].values()]
    rows += [["单位隶属关系", code, label] for code, label in spec["affiliation"]["codes"].items()]
    rows += [["变更类型", v["code"], v["label"]] for v in spec["change"].values()]
    return Table(title="代码说明", columns=[Column("字段", 10), Column("代码", 4), Column("含义", 10)], rows=rows,
                 sheet="代码说明")
