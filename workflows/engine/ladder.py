"""The S17 ladder, per calendar year, from the misses that count (recorded, not withdrawn, counting kind).

A helper's Nth counting miss (Policy.ladder_level1_misses, ladder_level2_misses) opens that level; a unit
with Policy.ladder_unit_misses counting misses among its helpers, or with a household found dissatisfied
(workflows.inspections), gets the one level-3 step of the year.
Set-based: one grouped query finds who is due, one finds the live steps, and only the steps missing are
opened, through the idempotent `open_escalation` (the database keeps one live step per target).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from backend.directory.models import Organisation, OrgKind, Person
from workflows.accountability.models import (
    HELPER_LEVELS,
    Escalation,
    EscalationLevel,
    EscalationState,
    Miss,
)
from workflows.accountability.services import open_escalation
from workflows.inspections.selectors import dissatisfied_units


@dataclass(frozen=True)
class Step:
    level: int
    year: int
    target_id: int
    misses: int


def helper_steps(tenant, year: int, policy) -> list[Step]:
    counting = Miss.objects.filter(tenant=tenant, year=year).counting().exclude(person=None)
    per_person = counting.values_list("person_id").annotate(n=Count("id")).order_by("person_id")
    live = set(Escalation.objects.filter(tenant=tenant, year=year, level__in=HELPER_LEVELS)
               .exclude(state=EscalationState.WITHDRAWN).values_list("person_id", "level"))
    needs = ((EscalationLevel.HELPER_FIRST, policy.ladder_level1_misses),
             (EscalationLevel.HELPER_SECOND, policy.ladder_level2_misses))
    return [Step(int(level), year, person_id, need) for person_id, n in per_person for level, need in needs
            if n >= need and (person_id, level) not in live]


def unit_steps(tenant, year: int, policy) -> list[tuple[Step, str]]:
    """Units at the threshold of counting misses, and units with a household found dissatisfied in an
    inspection or phone survey of the year: one level-3 step each."""
    counting = Miss.objects.filter(tenant=tenant, year=year, organisation__kind=OrgKind.UNIT).counting()
    per_unit = dict(counting.values_list("organisation_id").annotate(n=Count("id")).order_by("organisation_id"))
    live = set(Escalation.objects.filter(tenant=tenant, year=year, level=EscalationLevel.UNIT)
               .exclude(state=EscalationState.WITHDRAWN).values_list("organisation_id", flat=True))
    due = {unit_id: f"{year}年本单位帮扶责任人未按要求履职{n}人次，达到{policy.ladder_unit_misses}人次。"
           for unit_id, n in per_unit.items() if n >= policy.ladder_unit_misses}
    for unit_id in sorted(dissatisfied_units(tenant, year)):
        found = f"{year}年督导检查或电话调查发现本单位帮扶的贫困户不满意。"
        due[unit_id] = f"{due[unit_id]}{found}" if unit_id in due else found
    return [(Step(EscalationLevel.UNIT, year, unit_id, per_unit.get(unit_id, 0)), reason)
            for unit_id, reason in sorted(due.items()) if unit_id not in live]


def climb(*, tenant, year: int, policy, actor) -> int:
    """Open every step due for the year; returns how many were missing and opened."""
    helpers = helper_steps(tenant, year, policy)
    units = unit_steps(tenant, year, policy)
    if not helpers and not units:
        return 0
    by_person: dict[int, list[Miss]] = defaultdict(list)
    by_unit: dict[int, list[Miss]] = defaultdict(list)
    counting = Miss.objects.filter(tenant=tenant, year=year).counting().order_by("window_end", "id")
    for miss in counting.filter(person_id__in={s.target_id for s in helpers}):
        by_person[miss.person_id].append(miss)
    for miss in counting.filter(organisation_id__in={s.target_id for s, _ in units}):
        by_unit[miss.organisation_id].append(miss)
    people = Person.objects.select_related("organisation").in_bulk({s.target_id for s in helpers})
    orgs = Organisation.objects.in_bulk({s.target_id for s, _ in units})
    for step in helpers:
        misses = by_person[step.target_id][:step.misses]
        last = misses[-1]
        reason = (f"{year}年第{len(misses)}次未按要求履职：{last.get_kind_display()}"
                  f"（{last.window_start}至{last.window_end}）。")
        open_escalation(tenant=tenant, level=step.level, year=year, person=people[step.target_id], misses=misses,
                        actor=actor, reason=reason)
    for step, reason in units:
        open_escalation(tenant=tenant, level=step.level, year=year, organisation=orgs[step.target_id],
                        misses=by_unit[step.target_id], actor=actor, reason=reason)
    return len(helpers) + len(units)
