"""Presence rate (到位率, S13, S17): are the helpers in place?

Two views, both per town or per unit:
- from the records: of the in-scope households (by unit: the households its first helpers are paired with),
  how many had a pairing whose first in-person meeting had happened by `as_of`;
- from inspections and phone surveys conducted in the year: of the households reached, how many found their
  helper in place, and how many knew the helper's name.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from backend.households.models import Household
from backend.tenancy.models import Policy
from workflows.inspections.models import FINAL_STATES, Finding
from workflows.pairings.models import Pairing

from .groups import By, by_group, merge, rate, rows, total

FIELDS = ("households", "paired", "in_place", "inspected", "found_in_place", "knows_name")


def pairings_at(actor, *, year: int, as_of: dt.date):
    """Pairings of in-scope households existing on `as_of`, as the actor may see them."""
    policy = Policy.current(actor.tenant, as_of)
    households = Household.objects.for_tenant(actor.tenant).in_scope(policy, year)
    return (Pairing.objects.visible_to(actor).filter(household__in=households, proposed_on__lte=as_of)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)))


def final_findings(actor, year: int):
    """Findings of inspections and surveys conducted in `year`, as the actor may see them."""
    return Finding.objects.visible_to(actor).filter(inspection__state__in=FINAL_STATES,
                                                    inspection__conducted_on__year=year)


def presence(actor, *, year: int, by: By, as_of: dt.date) -> dict:
    pairings = pairings_at(actor, year=year, as_of=as_of)
    records = by_group(pairings, by.pairing, paired=Count("household", distinct=True),
                        in_place=Count("household", distinct=True, filter=Q(met_on__lte=as_of)))
    if by.name == "town":
        policy = Policy.current(actor.tenant, as_of)
        households = Household.objects.visible_to(actor).in_scope(policy, year)
        base = by_group(households, "village__town", households=Count("id"))
    else:
        base = {k: {"households": v["paired"]} for k, v in records.items()}
    found = by_group(final_findings(actor, year).filter(contacted=True), by.finding, inspected=Count("id"),
                      found_in_place=Count("id", filter=Q(helper_in_place=True)),
                      knows_name=Count("id", filter=Q(knows_helper_name=True)))
    out = rows(actor.tenant, merge(base, records, found), FIELDS)
    for row in out:
        _rates(row)
    summary = total(out, FIELDS)
    return {"year": year, "as_of": as_of, "by": by.name, "rows": out, "total": _rates(summary)}


def _rates(row: dict) -> dict:
    row["rate"] = rate(row["in_place"], row["households"])
    row["inspected_rate"] = rate(row["found_in_place"], row["inspected"])
    row["knows_name_rate"] = rate(row["knows_name"], row["inspected"])
    return row
