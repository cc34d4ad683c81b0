"""Reads of the fieldwork records: the responsibility card (S15), the public QR page, household feedback.

The main card (正卡, kept by the household) and the counterpart (副卡, kept by the first helper) are two
views of the same visit log; nothing is copied.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, OuterRef, Q, Subquery

from backend.common.masking import mask_name, mask_phone
from backend.households.codes import labels

from .cards import card_url
from .codes import item_labels
from .models import (
    VISIT_FEEDBACK,
    Channel,
    FeedbackKind,
    HelperRole,
    HouseholdFeedback,
    ImageKind,
    Satisfaction,
    SignMethod,
    Visit,
    VisitImage,
)

COPIES = {"main": "正卡（贫困户保管）", "counterpart": "副卡（第一帮扶责任人保管）"}


def visit_log(pairing):
    """The card's log: every non-voided record of the pairing, oldest first."""
    return (Visit.objects.filter(pairing=pairing).valid()
            .select_related("helper", "confirmed_by").order_by("occurred_on", "occurred_at", "id"))


def _helper(person) -> dict:
    return {"id": person.pk, "name": person.name, "unit_position": person.unit_position,
            "phone": mask_phone(person.phone)}


def _household(household) -> dict:
    causes = labels("cause")
    return {
        "id": household.pk, "code": household.code, "head_name": household.head_name,
        "village": household.village.name, "town": household.village.town.name, "address": household.address,
        "size": household.size, "phone": mask_phone(household.phone),
        "status": labels("status").get(household.status, household.status),
        "attribute": labels("attribute").get(household.attribute, household.attribute),
        "causes": [causes.get(c, c) for c in household.causes],
    }


def _answers(visit_ids: Iterable[int]) -> dict[int, str]:
    return dict(HouseholdFeedback.objects.filter(visit_id__in=list(visit_ids), kind__in=VISIT_FEEDBACK)
                .values_list("visit_id", "kind"))


def _signature_ids(visit_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    rows = VisitImage.objects.filter(visit_id__in=list(visit_ids)).exclude(kind=ImageKind.PHOTO)
    for visit_id, kind, pk in rows.values_list("visit_id", "kind", "pk"):
        out.setdefault(visit_id, {})[kind] = pk
    return out


def card_data(pairing, *, copy: str = "main", plan: dict | None = None) -> dict:
    """Everything the card shows. `plan` ({"headline", "measures": [...]}) is the published help plan, which
    the caller reads from workflows.plans (a layer above this one); None when there is none yet."""
    if copy not in COPIES:
        raise ValueError(copy)
    visits = list(visit_log(pairing))
    ids = [v.pk for v in visits]
    answers, signatures, items = _answers(ids), _signature_ids(ids), item_labels()
    return {
        "copy": copy, "copy_label": COPIES[copy],
        "pairing": {"id": pairing.pk, "state": pairing.state, "proposed_on": pairing.proposed_on,
                    "met_on": pairing.met_on, "term_end": pairing.term_end, "ended_on": pairing.ended_on},
        "household": _household(pairing.household),
        "first_helper": _helper(pairing.first_helper),
        "second_helper": _helper(pairing.second_helper),
        "plan": plan,
        "qr_url": card_url(pairing),
        "visits": [_log_row(v, items, signatures.get(v.pk, {}), answers.get(v.pk, "")) for v in visits],
    }


def _log_row(v: Visit, items: dict[str, str], signatures: dict[str, int], answer: str) -> dict:
    return {
        "id": v.pk, "occurred_on": v.occurred_on, "occurred_at": v.occurred_at,
        "role": v.role, "role_label": HelperRole(v.role).label,
        "channel": v.channel, "channel_label": Channel(v.channel).label,
        "helper_name": v.helper.name, "items": [items.get(c, c) for c in v.items], "people_met": v.people_met,
        "summary": v.summary, "problems_raised": v.problems_raised, "problems_solved": v.problems_solved,
        "follow_up": v.follow_up,
        "helper_signature": signatures.get(ImageKind.HELPER_SIGNATURE),
        "household_signature": signatures.get(ImageKind.HOUSEHOLD_SIGNATURE),
        "household_sign_method": v.household_sign_method,
        "household_sign_label": SignMethod(v.household_sign_method).label if v.household_sign_method else "",
        "household_signer_name": v.household_signer_name, "witness_name": v.witness_name,
        "witness_role": v.witness_role,
        "confirmed_by": v.confirmed_by.name if v.confirmed_by_id else "", "confirmed_at": v.confirmed_at,
        "late_entry": v.late_entry,
        "household_answer": answer,
    }


def images_as_data_uris(image_ids: Iterable[int | None]) -> dict[int, str]:
    """Signature (or photo) images by id as data: URIs, in one query: for printing the card's log."""
    rows = VisitImage.objects.filter(pk__in=[i for i in image_ids if i]).values_list("pk", "content_type", "data")
    return {pk: f"data:{ctype};base64,{base64.b64encode(bytes(data)).decode('ascii')}" for pk, ctype, data in rows}


def public_card(pairing, *, limit: int) -> dict:
    """What the QR page may show: no member names, ID numbers, phones or free text of the records."""
    household = pairing.household
    visits = list(Visit.objects.filter(pairing=pairing).valid().order_by("-occurred_on", "-id")[:limit])
    answers, items = _answers(v.pk for v in visits), item_labels()
    return {
        "tenant": pairing.tenant.name,
        "town": household.village.town.name,
        "village": household.village.name,
        "ended": pairing.state == "ended",
        "helpers": [
            {"role": HelperRole.FIRST.label, "name": mask_name(pairing.first_helper.name),
             "unit": pairing.first_helper.organisation.name},
            {"role": HelperRole.SECOND.label, "name": mask_name(pairing.second_helper.name),
             "unit": pairing.second_helper.organisation.name},
        ],
        "visits": [{"id": v.pk, "occurred_on": v.occurred_on, "role": HelperRole(v.role).label,
                    "channel": Channel(v.channel).label, "items": [items.get(c, c) for c in v.items],
                    "answer": answers.get(v.pk, "")} for v in visits],
        "satisfaction_choices": Satisfaction.choices,
    }


# --- household feedback, for inspections and stats ------------------------------------------------------

def feedback_in(tenant, *, since: dt.date | None = None, until: dt.date | None = None):
    """A tenant's feedback rows, optionally by submission date (inclusive), for inspections and stats."""
    qs = HouseholdFeedback.objects.filter(tenant=tenant)
    if since is not None:
        qs = qs.filter(changed_at__date__gte=since)
    if until is not None:
        qs = qs.filter(changed_at__date__lte=until)
    return qs


def feedback_by_pairing(feedback) -> dict[int, dict]:
    """Per pairing: visits confirmed and disputed by the household, satisfaction reports by level, and the
    latest level. One query whatever the number of pairings."""
    latest = (feedback.filter(pairing_id=OuterRef("pairing_id"), kind=FeedbackKind.SATISFACTION)
              .order_by("-changed_at", "-id").values("satisfaction")[:1])
    rows = feedback.values("pairing_id").annotate(
        confirmed=Count("id", filter=Q(kind=FeedbackKind.VISIT_CONFIRMED)),
        disputed=Count("id", filter=Q(kind=FeedbackKind.VISIT_DISPUTED)),
        **{level: Count("id", filter=Q(kind=FeedbackKind.SATISFACTION, satisfaction=level))
           for level in Satisfaction.values},
        latest_satisfaction=Subquery(latest),
    ).order_by()
    return {row.pop("pairing_id"): {**row, "latest_satisfaction": row["latest_satisfaction"] or ""} for row in rows}
