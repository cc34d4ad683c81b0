"""Exemptions (免于考核): a helper on leave or in hospital, or a household away, over a date range.

Helpers, their unit or the town office request one; the town office (or the city office) approves or
rejects it, and may revoke an approval. Compliance windows that the approved exemptions of the helper and
the household cover together, every day of them, are not judged (SPEC §5, `coverage`); a window only partly
covered is judged, because the helper had the rest of it. An approval that comes after a window was judged
withdraws the misses of the windows now covered.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from backend.common import clock
from backend.common.errors import Forbidden, ValidationFailed
from backend.directory.models import Organisation, OrgKind, Person
from backend.households.models import Household
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from workflows.accountability.models import Miss, MissKind, MissSource, MissState
from workflows.core import transitions
from workflows.pairings.models import Pairing

from .coverage import Spans
from .models import Exemption, ExemptionReason

DECIDERS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE)


def _town_of_person(person: Person) -> Organisation:
    if person.organisation.kind == OrgKind.TOWN:
        return person.organisation
    pairing = (Pairing.objects.open().filter(Q(first_helper=person) | Q(second_helper=person))
               .select_related("household__village__town").order_by("pk").first())
    if pairing is None:
        raise ValidationFailed.on("person", f"{person.name}目前没有结对帮扶的贫困户，无需申请免于考核。")
    return pairing.household.village.town


def _may_request(actor: Actor, *, person: Person | None, household: Household | None, town: Organisation) -> bool:
    if actor.tenant_wide:
        return not actor.read_only
    if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None and actor.organisation.pk == town.pk:
        return True
    if person is not None:
        if actor.person is not None and actor.person.pk == person.pk:
            return True
        return actor.has(Role.UNIT_LIAISON) and actor.organisation is not None \
            and person.organisation_id == actor.organisation.pk
    helps = Pairing.objects.open().filter(household=household)
    return actor.person is not None and helps.filter(Q(first_helper=actor.person) | Q(second_helper=actor.person)).exists()


def _check_fields(*, start_on: dt.date, end_on: dt.date, reason_code: str, reason: str) -> None:
    problems: dict[str, list[str]] = {}
    if end_on < start_on:
        problems["end_on"] = [f"截止日期{end_on}早于起始日期{start_on}。"]
    if reason_code not in ExemptionReason.values:
        problems["reason_code"] = ["请选择事由：请假、住院治疗、贫困户外出或其他。"]
    if not (reason or "").strip():
        problems["reason"] = ["请说明免于考核的具体情况。"]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)


@transaction.atomic
def request(*, actor: Actor, start_on: dt.date, end_on: dt.date, reason_code: str, reason: str,
            person: Person | None = None, household: Household | None = None) -> Exemption:
    if (person is None) == (household is None):
        raise ValidationFailed("请指定一名帮扶责任人或一户贫困户（二者选其一）。",
                               fields={"person": ["与贫困户二选一。"], "household": ["与帮扶责任人二选一。"]})
    subject = person or household
    if subject.tenant_id != actor.tenant.pk:
        raise ValidationFailed.on("person" if person else "household", "帮扶责任人或贫困户不存在。")
    _check_fields(start_on=start_on, end_on=end_on, reason_code=reason_code, reason=reason)
    town = _town_of_person(person) if person is not None else household.village.town
    if not _may_request(actor, person=person, household=household, town=town):
        raise Forbidden("只能为本人、本单位帮扶责任人、本人帮扶的贫困户或本镇街申请免于考核。")
    exemption = Exemption.objects.create(tenant=actor.tenant, person=person, household=household, town=town,
                                         start_on=start_on, end_on=end_on, reason_code=reason_code,
                                         reason=reason.strip())
    transitions.log_creation(exemption, actor=actor, reason=reason.strip(),
                             data={"start_on": start_on.isoformat(), "end_on": end_on.isoformat()})
    return exemption


def _decide(actor: Actor, exemption: Exemption, name: str, reason: str) -> Exemption:
    if actor.has(Role.TOWN_OFFICE) and not actor.tenant_wide and exemption.town_id != actor.organisation.pk:
        raise Forbidden("只能审批本镇街的免于考核申请。")
    return transitions.apply(exemption, name, actor=actor, roles=DECIDERS, reason=reason, at=clock.now())


@transaction.atomic
def approve(*, actor: Actor, exemption: Exemption, reason: str = "") -> Exemption:
    """Windows already judged that the approved ranges now cover (this one alone, or together with others of
    the same helper or household) lose their misses: withdrawn with this approval as the reason, so the ladder
    no longer counts them (a step already opened stays for the city office)."""
    _decide(actor, exemption, "approve", reason)
    subject = Q(person=exemption.person) if exemption.person_id else Q(household=exemption.household)
    misses = list(Miss.objects.filter(subject, tenant=exemption.tenant, source=MissSource.ENGINE,
                                      state=MissState.RECORDED, kind__in=[MissKind.VISIT, MissKind.CALL],
                                      window_start__lte=exemption.end_on, window_end__gte=exemption.start_on))
    if misses:
        spans = Spans(exemption.tenant_id, min(m.window_start for m in misses), max(m.window_end for m in misses),
                      Q(person_id__in={m.person_id for m in misses})
                      | Q(household_id__in={m.household_id for m in misses}))
        covered = [m.pk for m in misses if spans.cover(m.person_id, m.household_id, m.window_start, m.window_end)]
        Miss.objects.filter(pk__in=covered).update(
            state=MissState.WITHDRAWN, withdrawn_at=clock.now(),
            withdrawn_reason=f"已批准免于考核（{exemption.start_on}至{exemption.end_on}，"
                             f"{exemption.get_reason_code_display()}）")
    return exemption


@transaction.atomic
def reject(*, actor: Actor, exemption: Exemption, reason: str) -> Exemption:
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "不予批准须说明理由。")
    return _decide(actor, exemption, "reject", reason)


@transaction.atomic
def revoke(*, actor: Actor, exemption: Exemption, reason: str) -> Exemption:
    """Windows not judged yet are judged again as usual; misses already decided stay as they are."""
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "撤销须说明理由。")
    return _decide(actor, exemption, "revoke", reason)
