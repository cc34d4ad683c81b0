"""Misses (未履职记录) the actor may see: the town office its town's, the city office the tenant's (S17)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from backend.tenancy.roles import Role
from workflows.accountability.models import Miss, MissKind, MissState

from ..access import page
from ..due import today


@page(Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.OPERATOR, Role.LEADING_GROUP)
def misses(request):
    actor = request.actor
    year = request.GET.get("year") or str(today(actor).year)
    rows = (Miss.objects.visible_to(actor).filter(year=int(year) if year.isdigit() else today(actor).year)
            .select_related("person", "organisation", "town", "household__village"))
    kind = request.GET.get("kind", "")
    if kind in MissKind.values:
        rows = rows.filter(kind=kind)
    listing = Paginator(rows.order_by("-window_end", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "web/misses.html", {
        "page": listing, "year": year, "kind": kind, "kinds": MissKind.choices, "withdrawn": MissState.WITHDRAWN})
