"""The line items of the income form for a tenant and year (per-year data, S16).

A year's lines are defined once: by the operator in the admin, or on first use by copying the tenant's latest
earlier year (so a flag changed for 2019 carries into 2020), or, for a tenant's first year, from the bundled
附件2 form of the Laizhou notice (`data/annex2.json`).
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from .models import IncomeLine


@functools.cache
def annex2() -> dict:
    return json.loads(resources.files("workflows.income").joinpath("data/annex2.json").read_text("utf-8"))


def for_year(tenant, year: int, *, define_missing: bool = True) -> list[IncomeLine]:
    """The year's lines in form order. A year with none yet is defined first (safe under concurrency), or,
    with `define_missing=False`, shown as it would be defined, without saving."""
    lines = list(IncomeLine.objects.filter(tenant=tenant, year=year).order_by("order"))
    if lines:
        return lines
    earlier = IncomeLine.objects.filter(tenant=tenant, year__lt=year).order_by("-year").values_list("year", flat=True)
    source_year = earlier.first()
    if source_year is not None:
        template = list(IncomeLine.objects.filter(tenant=tenant, year=source_year).values(
            "code", "category", "label", "order", "counts_toward_net", "note"))
    else:
        template = [{**row, "note": row.get("note", "")} for row in annex2()["lines"]]
    if not define_missing:
        return [IncomeLine(tenant=tenant, year=year, **row) for row in sorted(template, key=lambda r: r["order"])]
    define(tenant, year, template)
    return list(IncomeLine.objects.filter(tenant=tenant, year=year).order_by("order"))


def define(tenant, year: int, rows: list[dict]) -> None:
    """Create a year's lines from rows of {code, category, label, order, counts_toward_net[, note]}; lines that
    already exist are left as they are."""
    IncomeLine.objects.bulk_create(
        [IncomeLine(tenant=tenant, year=year, code=r["code"], category=r["category"], label=r["label"],
                    order=r["order"], counts_toward_net=r["counts_toward_net"], note=r.get("note", ""))
         for r in rows],
        ignore_conflicts=True)
