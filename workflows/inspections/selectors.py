"""Reads of inspection results for the engine, stats and documents, and the households an office may choose."""

from __future__ import annotations

from django.db.models import Q

from backend.fieldwork.models import Satisfaction
from backend.households.models import Household
from backend.tenancy.models import Policy
from workflows.pairings.models import Pairing

from .models import FINAL_STATES, Finding


def dissatisfied_units(tenant, year: int) -> set[int]:
    """S17 level 3: ids of the units whose first helper's household was found 不满意 in an inspection or phone
    survey conducted in `year` (the unit as it was when the sample was drawn). The engine makes each unit's
    level-3 escalation due from this. One query."""
    rows = (Finding.objects.filter(tenant=tenant, satisfaction=Satisfaction.DISSATISFIED, unit__isnull=False,
                                   inspection__conducted_on__year=year,
                                   inspection__state__in=FINAL_STATES)
            .values_list("unit_id", flat=True).distinct())
    return set(rows)


def candidates(actor, *, query: str, on, towns=(), units=(), limit: int = 20):
    """Households the city office may choose for an inspection (指定户): visible to the actor, in the programme
    in `on`'s year, inside the given towns and units (a unit: the open pairing's first helper belongs to it),
    matching `query` on the town, village or head's name. Each carries `open_pairing` (its open pairing or None),
    for showing the first helper; no phone, ID or account is read."""
    policy = Policy.current(actor.tenant, on)
    qs = Household.objects.visible_to(actor).in_scope(policy, on.year)
    for word in (query or "").split():
        qs = qs.filter(Q(head_name__icontains=word) | Q(village__name__icontains=word)
                       | Q(village__town__name__icontains=word))
    if towns:
        qs = qs.filter(village__town__in=list(towns))
    if units:
        qs = qs.filter(pk__in=Pairing.objects.open().filter(first_helper__organisation__in=list(units))
                       .values("household_id"))
    return with_open_pairings(
        list(qs.select_related("village__town").order_by("village__town__code", "village__code", "code")[:limit]))


def with_open_pairings(households: list) -> list:
    """The households, each with `open_pairing` (its open pairing with the first helper's unit, or None)."""
    pairings = {p.household_id: p for p in Pairing.objects.open().filter(household__in=households)
                .select_related("first_helper__organisation")}
    for h in households:
        h.open_pairing = pairings.get(h.pk)
    return households
