"""The city office's dashboard: per-town coverage and misses, per-unit misses, drawn as inline SVG."""

from __future__ import annotations

from django.shortcuts import render

from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from workflows.measures.compliance import compliance
from workflows.measures.groups import by as group_by
from workflows.measures.presence import presence
from workflows.measures.satisfaction import satisfaction

from .. import dashboard
from ..access import page
from ..due import today


@page(Role.CITY_OFFICE, Role.LEADING_GROUP, Role.OPERATOR, Role.ASSESSOR)
def city_dashboard(request):
    actor = request.actor
    now = today(actor)
    policy = Policy.current(actor.tenant, now)
    towns = dashboard.by_town(actor, policy, now)
    presence_town = presence(actor, year=now.year, by=group_by("town"), as_of=now)
    presence_unit = presence(actor, year=now.year, by=group_by("unit"), as_of=now)
    opinions = satisfaction(actor, year=now.year, by=group_by("town"))
    compliance_town = compliance(actor, year=now.year, by=group_by("town"), as_of=now)
    compliance_unit = compliance(actor, year=now.year, by=group_by("unit"), as_of=now)
    return render(request, "web/city/dashboard.html", {
        "today": now, "towns": towns, "units": dashboard.misses_by_unit(actor, now.year),
        "totals": dashboard.totals(towns),
        "coverage_chart": [(r.town.name, (r.coverage or 0) * 100) for r in towns],
        "in_place_chart": [(r["name"], (r["rate"] or 0) * 100) for r in presence_town["rows"] if r["households"]],
        "unit_presence_chart": [(r["name"], (r["rate"] or 0) * 100) for r in presence_unit["rows"]],
        "presence": presence_town["total"],
        "compliance": compliance_town["total"],
        "compliance_chart": _rates(compliance_town),
        "unit_compliance_chart": _rates(compliance_unit),
        "misses_chart": [(r.town.name, r.misses) for r in towns],
        "satisfaction_chart": [(r["name"], r["rate"] * 100) for r in opinions["rows"] if r["rate"] is not None],
        "qr_chart": [(r["name"], 100 * good / answers) for r in opinions["rows"]
                     for good, answers in [dashboard.qr_satisfied(r)] if answers],
        "opinions": opinions["total"],
        "overdue": dashboard.overdue_items(actor, now),
    })


def _rates(measure: dict) -> list[tuple[str, float]]:
    """Rows that had judged windows, as (name, percent)."""
    return [(r["name"], r["rate"] * 100) for r in measure["rows"] if r["rate"] is not None]
