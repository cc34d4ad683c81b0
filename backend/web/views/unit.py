"""The unit liaison's view of its first helpers: where each helps, whether in place, misses this year."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.shortcuts import render

from backend.directory.models import FIRST_HELPER_CATEGORIES, Person
from backend.tenancy.roles import Role
from workflows.accountability.models import Escalation, EscalationState, MissState
from workflows.pairings.models import OPEN_STATES, Pairing

from ..access import page
from ..due import today


@page(Role.UNIT_LIAISON)
def unit_helpers(request):
    actor = request.actor
    year = today(actor).year
    open_pairings = Pairing.objects.filter(state__in=OPEN_STATES).select_related("household__village__town",
                                                                                  "second_helper")
    people = (Person.objects.visible_to(actor).filter(organisation=actor.organisation)
              .filter(Q(first_pairings__isnull=False)
                      | Q(party_member=True, active=True, helper_category__in=FIRST_HELPER_CATEGORIES))
              .annotate(misses_this_year=Count("misses", filter=Q(misses__year=year, misses__state=MissState.RECORDED,
                                                                   misses__counts_for_ladder=True), distinct=True))
              .prefetch_related(Prefetch("first_pairings", queryset=open_pairings, to_attr="open_pairings"),
                                Prefetch("escalations", queryset=Escalation.objects.filter(year=year)
                                         .exclude(state=EscalationState.WITHDRAWN), to_attr="year_escalations"))
              .distinct().order_by("name", "pk"))
    return render(request, "web/unit/helpers.html", {"people": people, "year": year})
