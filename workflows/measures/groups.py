"""Grouping of the measures: by town (镇街) or by unit (第一帮扶责任人所在部门单位)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.common.errors import ValidationFailed
from backend.directory.models import Organisation


@dataclass(frozen=True)
class By:
    name: str
    pairing: str  # path from Pairing to the group organisation
    finding: str  # from inspections.Finding
    miss: str  # from accountability.Miss

    def prefixed(self, prefix: str) -> str:
        """The path from a model that reaches Pairing through `prefix` (e.g. "pairing__")."""
        return f"{prefix}{self.pairing}"


BY = {
    "town": By("town", pairing="household__village__town", finding="town", miss="town"),
    "unit": By("unit", pairing="first_helper__organisation", finding="unit", miss="organisation"),
}


def by(name: str | None) -> By:
    if (name or "town") not in BY:
        raise ValidationFailed.on("by", "分组只能是按镇街（town）或按部门单位（unit）。")
    return BY[name or "town"]


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rows(tenant, counts: dict[int | None, dict], fields: tuple[str, ...]) -> list[dict]:
    """One row per organisation with its code and name (one query), in code order; every field defaults to 0."""
    orgs = {o.pk: o for o in Organisation.objects.filter(tenant=tenant, pk__in=[k for k in counts if k])}
    out = [{"id": pk, "code": orgs[pk].code, "name": orgs[pk].name, **{f: counts[pk].get(f, 0) for f in fields}}
           for pk in counts if pk in orgs]
    return sorted(out, key=lambda r: r["code"])


def merge(*sources: dict[int | None, dict]) -> dict[int | None, dict]:
    out: dict[int | None, dict] = {}
    for source in sources:
        for key, values in source.items():
            out.setdefault(key, {}).update(values)
    return out


def total(rows_: list[dict], fields: tuple[str, ...]) -> dict:
    return {f: sum(r[f] for r in rows_) for f in fields}


def by_group(qs, field: str, **aggregates) -> dict[int | None, dict]:
    """{organisation id: {aggregate: value}} in one grouped query."""
    return {row.pop(field): row for row in qs.values(field).annotate(**aggregates).order_by()}
