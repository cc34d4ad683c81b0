"""The leadership group's unit scorecards (S17): underperforming units first, in red."""

from __future__ import annotations

from django.shortcuts import render

from backend.tenancy.models import Policy
from backend.tenancy.roles import Role

from .. import dashboard
from ..access import page
from ..due import today


@page(Role.LEADING_GROUP, Role.CITY_OFFICE, Role.OPERATOR, Role.ASSESSOR)
def scorecards(request):
    actor = request.actor
    now = today(actor)
    policy = Policy.current(actor.tenant, now)
    rows = dashboard.by_unit(actor, policy, now)
    return render(request, "web/leadership/scorecards.html", {
        "rows": rows, "today": now, "policy": policy,
        "chart": [(r.unit.short_name or r.unit.name, r.misses) for r in rows if r.misses][:20],
    })
