"""Satisfaction (满意度, S17) per town or per unit.

- From inspections and phone surveys conducted in the year: the households reached, by answer (满意 / 基本满意 /
  不满意); the rate counts 满意 and 基本满意 as satisfied.
- From the card's QR page (households' own reports, without a login), for those who may read them (town and
  city offices): satisfaction reports by level and visits confirmed or disputed, submitted in the year.
"""

from __future__ import annotations

from django.db.models import Count, Q

from backend.fieldwork.models import FeedbackKind, HouseholdFeedback, Satisfaction
from backend.tenancy.roles import Role

from .groups import By, by_group, merge, rate, rows, total
from .presence import final_findings

LEVELS = tuple(Satisfaction.values)
INSPECTION = ("answered", *LEVELS)
FEEDBACK = tuple(f"qr_{x}" for x in (*LEVELS, "visit_confirmed", "visit_disputed"))


def satisfaction(actor, *, year: int, by: By) -> dict:
    found = by_group(final_findings(actor, year).filter(contacted=True).exclude(satisfaction=""), by.finding,
                      answered=Count("id"),
                      **{level: Count("id", filter=Q(satisfaction=level)) for level in LEVELS})
    readable = may_read_feedback(actor)
    feedback = _feedback(actor, year, by) if readable else {}
    fields = INSPECTION + (FEEDBACK if readable else ())
    out = rows(actor.tenant, merge(found, feedback), fields)
    for row in out:
        _rate(row)
    return {"year": year, "by": by.name, "household_feedback": readable, "rows": out,
            "total": _rate(total(out, fields))}


def _rate(row: dict) -> dict:
    row["rate"] = rate(row[Satisfaction.SATISFIED] + row[Satisfaction.BASICALLY], row["answered"])
    return row


def may_read_feedback(actor) -> bool:
    """Households' own reports are for the town and city offices, never for the helpers they are about."""
    return actor.tenant_wide or actor.has(Role.TOWN_OFFICE)


def _feedback(actor, year: int, by: By) -> dict:
    qs = HouseholdFeedback.objects.visible_to(actor).filter(submitted_at__year=year)
    return by_group(qs, by.prefixed("pairing__"), **{
        **{f"qr_{level}": Count("id", filter=Q(kind=FeedbackKind.SATISFACTION, satisfaction=level))
           for level in LEVELS},
        "qr_visit_confirmed": Count("id", filter=Q(kind=FeedbackKind.VISIT_CONFIRMED)),
        "qr_visit_disputed": Count("id", filter=Q(kind=FeedbackKind.VISIT_DISPUTED)),
    })
