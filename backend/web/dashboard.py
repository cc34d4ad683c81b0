"""Aggregates for the city office's dashboard: a constant number of grouped queries, whatever the size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count

from backend.directory.models import Organisation, UnitQuota
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.scoping import Actor
from workflows.accountability.models import Escalation, Miss
from workflows.pairings.models import Pairing, PairingState
from workflows.replacements.models import Replacement, ReplacementState
from workflows.reporting import selectors as reporting
from workflows.reporting.models import QuarterlyReport, ReportState
from workflows.rosters import selectors as rosters


@dataclass
class TownRow:
    town: Organisation
    in_scope: int = 0
    paired: int = 0
    active: int = 0
    misses: int = 0

    @property
    def coverage(self) -> float | None:
        return self.paired / self.in_scope if self.in_scope else None

    @property
    def in_place(self) -> float | None:
        return self.active / self.in_scope if self.in_scope else None


def _by(qs, key: str) -> dict[int, int]:
    # order_by() drops the model's default ordering, which would otherwise split the groups.
    return dict(qs.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


def by_town(actor: Actor, policy: Policy, on: dt.date) -> list[TownRow]:
    towns = Organisation.objects.visible_to(actor).towns().order_by("code")
    households = Household.objects.visible_to(actor).in_scope(policy, on.year)
    pairings = Pairing.objects.visible_to(actor).open()
    in_scope = _by(households, "village__town")
    paired = _by(pairings, "household__village__town")
    active = _by(pairings.filter(state=PairingState.ACTIVE), "household__village__town")
    misses = _by(Miss.objects.visible_to(actor).counting().filter(year=on.year), "town")
    return [TownRow(t, in_scope.get(t.pk, 0), paired.get(t.pk, 0), active.get(t.pk, 0), misses.get(t.pk, 0))
            for t in towns]


def misses_by_unit(actor: Actor, year: int) -> list[tuple[str, int]]:
    rows = (Miss.objects.visible_to(actor).counting().filter(year=year, organisation__kind="unit")
            .order_by().values("organisation__name").annotate(n=Count("pk")).order_by("-n", "organisation__name")
            .values_list("organisation__name", "n")[:15])
    return [(name, n) for name, n in rows]


def totals(rows: list[TownRow]) -> dict:
    return {"in_scope": sum(r.in_scope for r in rows), "paired": sum(r.paired for r in rows),
            "active": sum(r.active for r in rows), "misses": sum(r.misses for r in rows)}


@dataclass
class UnitRow:
    unit: Organisation
    quota: int = 0
    paired: int = 0
    active: int = 0
    misses: int = 0
    underperforming: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def in_place(self) -> float | None:
        return self.active / self.quota if self.quota else None


def by_unit(actor: Actor, policy: Policy, on: dt.date) -> list[UnitRow]:
    """Unit scorecards (S17): first helpers sent against the A6 quota, in place, misses this year. A unit is
    underperforming at the policy's unit threshold of misses, or when its helpers are not all in place after
    the in-place cutoff."""
    units = Organisation.objects.visible_to(actor).units().order_by("code")
    quota = dict(UnitQuota.objects.for_tenant(actor.tenant).order_by().values("unit")
                 .annotate(n=models.Sum("count")).values_list("unit", "n"))
    pairings = Pairing.objects.visible_to(actor).open()
    paired = _by(pairings, "first_helper__organisation")
    active = _by(pairings.filter(state=PairingState.ACTIVE), "first_helper__organisation")
    misses = _by(Miss.objects.visible_to(actor).counting().filter(year=on.year), "organisation")
    rows = []
    for u in units:
        row = UnitRow(u, quota.get(u.pk, 0), paired.get(u.pk, 0), active.get(u.pk, 0), misses.get(u.pk, 0))
        reasons = []
        if row.misses >= policy.ladder_unit_misses:
            reasons.append(f"未履职{row.misses}人次，达到{policy.ladder_unit_misses}人次")
        if on > policy.in_place_cutoff and row.active < row.quota:
            reasons.append(f"到位{row.active}人，少于分配的{row.quota}人")
        row.reasons, row.underperforming = tuple(reasons), bool(reasons)
        rows.append(row)
    return sorted(rows, key=lambda r: (not r.underperforming, -r.misses, r.unit.code))


def qr_satisfied(row: dict) -> tuple[int, int]:
    """From a satisfaction measure row: (satisfied or basically satisfied, all answers) given through the card's
    QR page."""
    good = row.get("qr_satisfied", 0) + row.get("qr_basically_satisfied", 0)
    return good, good + row.get("qr_dissatisfied", 0)


@dataclass
class Overdue:
    label: str
    count: int
    detail: str = ""
    url: str = ""


def previous_quarter(on: dt.date) -> tuple[int, int]:
    quarter = (on.month - 1) // 3 + 1
    return (on.year, quarter - 1) if quarter > 1 else (on.year - 1, 4)


def overdue_items(actor: Actor, on: dt.date) -> list[Overdue]:
    """What is late across the tenant: rosters not in by the cutoff, last quarter's reports not submitted,
    reports and replacements waiting for the city office, escalations still open."""
    late_rosters = rosters.overdue(actor.tenant, on)
    year, quarter = previous_quarter(on)
    late_towns = reporting.overdue_towns(actor.tenant, year=year, quarter=quarter, as_of=on)
    return [
        Overdue("逾期未报送的第一帮扶责任人名单", len(late_rosters),
                "、".join(f"{q.unit.name}→{q.town.name}" for q in late_rosters[:5]) + ("等" if len(late_rosters) > 5 else "")),
        Overdue(f"{year}年第{quarter}季度逾期未报送季度报告的镇街", len(late_towns), "、".join(t.name for t in late_towns)),
        Overdue("待审核的季度报告", QuarterlyReport.objects.visible_to(actor).filter(state=ReportState.SUBMITTED).count()),
        Overdue("待审核的更换备案", Replacement.objects.visible_to(actor).filter(state=ReplacementState.FILED).count()),
        Overdue("未办结的问责", Escalation.objects.visible_to(actor).open().count()),
    ]
