"""The city office's dashboard: per-town coverage and misses, per-unit misses, drawn as inline SVG."""

from __future__ import annotations

from django.shortcuts import render

from backend.tenancy.models import Policy
from backend.tenancy.roles import Role

from .. import dashboard
from ..access import page
from ..due import today


@page(Role.CITY_OFFICE, Role.LEADING_GROUP, Role.OPERATOR, Role.ASSESSOR)
def city_dashboard(request):
    actor = request.actor
    now = today(actor)
    policy = Policy.current(actor.tenant, now)
    towns = dashboard.by_town(actor, policy, now)
    satisfaction = dashboard.satisfaction_by_town(actor, now.year)
    return render(request, "web/city/dashboard.html", {
        "today": now, "towns": towns, "units": dashboard.misses_by_unit(actor, now.year),
        "totals": dashboard.totals(towns),
        "coverage_chart": [(r.town.name, (r.coverage or 0) * 100) for r in towns],
        "in_place_chart": [(r.town.name, (r.in_place or 0) * 100) for r in towns],
        "misses_chart": [(r.town.name, r.misses) for r in towns],
        "satisfaction_chart": [(r.town.name, 100 * good / total) for r in towns
                               for good, total in [satisfaction.get(r.town.pk, (0, 0))] if total],
        "answers": sum(total for _, total in satisfaction.values()),
        "overdue": dashboard.overdue_items(actor, now),
    })
