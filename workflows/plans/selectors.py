"""Reads of published help plans for A4 (责任清单), the responsibility card and the village disclosure.

Only the published version is shown outside the plans screens; drafts and revised versions never are.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend.households.codes import labels
from workflows.pairings.models import OPEN_STATES

from .models import MEASURE_LIST, HelpPlan, PlanItem, PlanState


def _item(item: PlanItem, measures: dict[str, str]) -> dict:
    return {
        "measure": item.measure, "measure_label": measures.get(item.measure, item.measure),
        "content": item.content, "responsible": item.responsible, "expected_benefit": item.expected_benefit,
        "expected_amount": item.expected_amount, "starts_on": item.starts_on, "ends_on": item.ends_on,
    }


def published_plans(pairing_ids: Iterable[int]) -> dict[int, dict]:
    """Per pairing id, its published plan: {"id", "version", "headline", "goal", "published_on", "measures": [
    {"measure", "measure_label", "content", "responsible", "expected_benefit", "expected_amount", "starts_on",
    "ends_on"}]}. Pairings without a published plan are absent. Two queries whatever the number."""
    plans = list(HelpPlan.objects.filter(pairing_id__in=list(pairing_ids), state=PlanState.PUBLISHED)
                 .prefetch_related("items"))
    measures = labels(MEASURE_LIST)
    return {p.pairing_id: {"id": p.pk, "version": p.version, "headline": p.headline, "goal": p.goal,
                           "published_on": p.published_on,
                           "measures": [_item(i, measures) for i in p.items.all()]}
            for p in plans}


def published_plan(pairing) -> dict | None:
    """The pairing's published plan in the shape above (what `fieldwork.selectors.card_data(plan=…)` takes), or
    None when nothing is published yet."""
    return published_plans([pairing.pk]).get(pairing.pk)


def headlines(household_ids: Iterable[int]) -> dict[int, str]:
    """Per household id, the headline of its current published plan: the one plan field the village disclosure
    shows (SPEC §8). One query."""
    rows = (HelpPlan.objects.filter(household_id__in=list(household_ids), state=PlanState.PUBLISHED,
                                    pairing__state__in=OPEN_STATES)
            .values_list("household_id", "headline"))
    return dict(rows)
