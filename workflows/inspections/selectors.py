"""Reads of inspection results for the engine, stats and documents."""

from __future__ import annotations

from backend.fieldwork.models import Satisfaction

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
