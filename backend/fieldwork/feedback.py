"""Household feedback from the card's QR page (S13, S15, S17): confirm or dispute a visit, rate the help.

No login: the caller has checked the card token and the rate limits. One answer per visit (a later answer
replaces the earlier one); satisfaction reports accumulate.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import ValidationFailed

from .models import VISIT_FEEDBACK, FeedbackKind, HouseholdFeedback, Satisfaction, Visit

NOTE_LIMIT = HouseholdFeedback._meta.get_field("note").max_length


def answer_visit(*, pairing, visit_id, confirmed: bool, source: str = "") -> HouseholdFeedback:
    visit = Visit.objects.filter(pairing=pairing, voided=False, pk=_int(visit_id)).first()
    if visit is None:
        raise ValidationFailed.on("visit", "没有找到这次走访记录。")
    kind = FeedbackKind.VISIT_CONFIRMED if confirmed else FeedbackKind.VISIT_DISPUTED
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return _save_answer(pairing, visit, kind, source)
        except IntegrityError:
            continue  # a concurrent first answer for the same visit won; replace it
    raise ValidationFailed.on("visit", "提交冲突，请重试。")


def _save_answer(pairing, visit, kind: str, source: str) -> HouseholdFeedback:
    existing = (HouseholdFeedback.objects.select_for_update()
                .filter(visit=visit, kind__in=VISIT_FEEDBACK).first())
    if existing is None:
        return HouseholdFeedback.objects.create(tenant_id=pairing.tenant_id, pairing=pairing, visit=visit,
                                                kind=kind, source=source)
    existing.kind, existing.source, existing.changed_at = kind, source, clock.now()
    existing.save(update_fields=["kind", "source", "changed_at"])
    return existing


@transaction.atomic
def rate(*, pairing, satisfaction: str, note: str = "", source: str = "") -> HouseholdFeedback:
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed.on("satisfaction", "请选择满意、基本满意或不满意。")
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed.on("note", f"意见不能超过{NOTE_LIMIT}字。")
    return HouseholdFeedback.objects.create(tenant_id=pairing.tenant_id, pairing=pairing,
                                            kind=FeedbackKind.SATISFACTION, satisfaction=satisfaction,
                                            note=note, source=source)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
