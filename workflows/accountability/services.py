"""Escalation services (S17): open (idempotent, for the engine and the city office), then one service per
transition. Each checks role and scope, runs in one transaction and writes the log through `transitions`."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import Forbidden, ValidationFailed
from backend.directory.models import Organisation, OrgKind, Person
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from notifications.services import notify
from workflows.core import recipients, transitions

from .models import (
    HELPER_LEVELS,
    LEVEL_SHORT,
    Escalation,
    EscalationLevel,
    EscalationState,
    Miss,
    MissKind,
    MissSource,
    MissState,
)

OPENERS = (Role.OPERATOR, Role.CITY_OFFICE)
WITHDRAWERS = (Role.OPERATOR, Role.CITY_OFFICE)


def step_roles(escalation: Escalation, step: str) -> tuple[str, ...]:
    """Who acts on each step: the city office issues helper-level notices and may withdraw any step; the
    helper's unit may also run its helper's interview; the leadership group runs unit-level steps."""
    if step == "withdraw":
        return WITHDRAWERS
    if escalation.targets_unit:
        return (Role.OPERATOR, Role.LEADING_GROUP)
    if step == "issue_notice":
        return (Role.OPERATOR, Role.CITY_OFFICE)
    return (Role.OPERATOR, Role.CITY_OFFICE, Role.UNIT_LIAISON)


def _check_scope(actor: Actor, escalation: Escalation) -> None:
    if actor.tenant_wide:
        return
    if actor.organisation is None or escalation.organisation_id != actor.organisation.pk:
        raise Forbidden("只能处理本单位帮扶责任人的问责。")


def _target(level: int, person: Person | None, organisation: Organisation | None) -> Organisation:
    if level in HELPER_LEVELS:
        if person is None:
            raise ValidationFailed.on("person", "一、二级问责须指定帮扶责任人。")
        if organisation is not None and organisation.pk != person.organisation_id:
            raise ValidationFailed.on("organisation", f"{person.name}不属于{organisation.name}。")
        return person.organisation
    if level == EscalationLevel.UNIT:
        if person is not None:
            raise ValidationFailed.on("person", "三级问责针对单位，不指定个人。")
        if organisation is None or organisation.kind != OrgKind.UNIT:
            raise ValidationFailed.on("organisation", "三级问责须指定部门单位。")
        return organisation
    raise ValidationFailed.on("level", "问责级别只能是1、2或3。")


def _live(tenant, level: int, year: int, person: Person | None, organisation: Organisation):
    qs = Escalation.objects.filter(tenant=tenant, level=level, year=year).exclude(state=EscalationState.WITHDRAWN)
    return qs.filter(person=person) if level in HELPER_LEVELS else qs.filter(organisation=organisation)


@transaction.atomic
def open_escalation(*, tenant, level: int, year: int, person: Person | None = None,
                    organisation: Organisation | None = None, misses, actor: Actor, reason: str = "") -> Escalation:
    """The live escalation of that step, created if there is none; the given misses are added to it.

    Idempotent and safe under concurrency: the partial unique indexes refuse a second live row, and the
    loser of a race returns the winner's row. Withdrawn misses are not added.
    """
    if not actor.system and not actor.has(*OPENERS):
        raise Forbidden("只有市扶贫办可以登记问责。")
    if actor.tenant.pk != tenant.pk:
        raise Forbidden()
    level = int(level)
    for obj in (person, organisation):
        if obj is not None and obj.tenant_id != tenant.pk:
            raise ValidationFailed("问责对象不存在。")
    unit = _target(level, person, organisation)
    misses = list(misses)
    if any(m.tenant_id != tenant.pk for m in misses):
        raise ValidationFailed.on("misses", "未履职记录不存在。")
    escalation = _live(tenant, level, year, person, unit).first()
    if escalation is None:
        escalation = Escalation(tenant=tenant, level=level, year=year, person=person, organisation=unit,
                                reason=reason, source=MissSource.ENGINE if actor.system else MissSource.MANUAL,
                                loses_award_eligibility=level == EscalationLevel.HELPER_SECOND)
        try:
            with transaction.atomic():
                escalation.save()
        except IntegrityError:  # another writer opened the same step first
            escalation = _live(tenant, level, year, person, unit).get()
        else:
            transitions.log_creation(escalation, actor=actor, reason=reason,
                                     data={"level": level, "year": year, "misses": [m.pk for m in misses]})
    through = Escalation.misses.through
    through.objects.bulk_create(
        [through(escalation_id=escalation.pk, miss_id=m.pk) for m in misses if m.state == MissState.RECORDED],
        ignore_conflicts=True)
    return escalation


def _recipients(escalation: Escalation):
    found = [] if escalation.person_id is None else recipients.for_person(escalation.person)
    return found + recipients.for_organisation(escalation.organisation)


def _apply(escalation: Escalation, step: str, *, actor: Actor, reason: str = "", data: dict | None = None, **kwargs):
    _check_scope(actor, escalation)
    return transitions.apply(escalation, step, actor=actor, roles=step_roles(escalation, step), reason=reason,
                             data=data, **kwargs)


@transaction.atomic
def issue_notice(*, actor: Actor, escalation: Escalation, reason: str = "") -> Escalation:
    _apply(escalation, "issue_notice", actor=actor, reason=reason, at=clock.now())
    notify(tenant=escalation.tenant, recipients=_recipients(escalation), kind="escalation_notice",
           key=f"escalation:{escalation.pk}:notice", obj=escalation,
           context={"level": LEVEL_SHORT[escalation.level], "target_name": escalation.target_name,
                    "year": escalation.year, "reason": escalation.reason or reason or escalation.get_level_display()})
    return escalation


@transaction.atomic
def schedule_interview(*, actor: Actor, escalation: Escalation, when: dt.datetime, where: str, who: str,
                       reason: str = "") -> Escalation:
    problems = {name: [f"请填写{label}。"] for name, label, value in
                (("where", "约谈地点", where), ("who", "约谈人", who)) if not (value or "").strip()}
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    _apply(escalation, "schedule_interview", actor=actor, reason=reason,
           data={"when": when.isoformat(), "where": where, "who": who}, when=when, where=where.strip(), who=who.strip())
    notify(tenant=escalation.tenant, recipients=_recipients(escalation), kind="interview_scheduled",
           key=f"escalation:{escalation.pk}:interview:{when.isoformat()}", obj=escalation,
           context={"target_name": escalation.target_name, "when": when, "where": escalation.interview_place,
                    "who": escalation.interviewer})
    return escalation


@transaction.atomic
def hold_interview(*, actor: Actor, escalation: Escalation, notes: str, reason: str = "") -> Escalation:
    if not (notes or "").strip():
        raise ValidationFailed.on("notes", "请填写约谈记录。")
    return _apply(escalation, "hold_interview", actor=actor, reason=reason, at=clock.now(), notes=notes.strip())


@transaction.atomic
def close(*, actor: Actor, escalation: Escalation, reason: str = "") -> Escalation:
    return _apply(escalation, "close", actor=actor, reason=reason, at=clock.now())


@transaction.atomic
def withdraw(*, actor: Actor, escalation: Escalation, evidence: str) -> Escalation:
    """A miss shown to be a data error: the step is withdrawn and its misses are voided, so counts drop."""
    if not (evidence or "").strip():
        raise ValidationFailed.on("reason", "撤销问责须说明依据（如证明数据错误的材料）。")
    now = clock.now()
    _apply(escalation, "withdraw", actor=actor, reason=evidence, at=now, evidence=evidence.strip())
    Miss.objects.filter(escalations=escalation, state=MissState.RECORDED).update(
        state=MissState.WITHDRAWN, withdrawn_at=now, withdrawn_reason=evidence.strip())
    return escalation


def record_unfiled_change(*, pairing, role: str, on: dt.date, detail: str) -> Miss:
    """S7: a helper change made without an accepted replacement (更换备案) is recorded as a miss of the
    responsible side — the replaced first helper's unit, or the town for a second helper — so problems found
    later on the household are attributed to it. One per ended pairing, however often it is detected."""
    household = pairing.household
    responsible = pairing.first_helper.organisation if role == "first" else household.village.town
    miss, _ = Miss.objects.get_or_create(
        tenant_id=pairing.tenant_id, key=f"unfiled_replacement:pairing={pairing.pk}",
        defaults=dict(kind=MissKind.UNFILED_REPLACEMENT, source=MissSource.WORKFLOW, year=on.year, pairing=pairing,
                      role=role, organisation=responsible, town=household.village.town, household=household,
                      window_start=on, window_end=on, counts_for_ladder=False,
                      policy_version=Policy.current(pairing.tenant, on).version,
                      evidence={"detail": detail, "on": on.isoformat(), "replaced_helper": (
                          pairing.first_helper_id if role == "first" else pairing.second_helper_id)}),
    )
    return miss
