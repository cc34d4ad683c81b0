"""Roster services (S10): the unit edits its draft and submits it against its A6 quota; the town office
accepts or returns it; a returned roster goes back to draft. One transaction each, logged."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import Conflict, Forbidden, TransitionNotAllowed, ValidationFailed
from backend.common.validators import InvalidValue, validate_phone
from backend.directory.models import Organisation, OrgKind, Person, UnitQuota
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from notifications.services import notify
from workflows.core import recipients, transitions
from workflows.engine.workdays import submitted_late

from .models import Roster, RosterEntry, RosterState

UNIT_SIDE = (Role.OPERATOR, Role.CITY_OFFICE, Role.UNIT_LIAISON)
TOWN_SIDE = (Role.OPERATOR, Role.TOWN_OFFICE)


@dataclass(frozen=True)
class EntryInput:
    person: Person
    position: str = ""
    phone: str = ""


def _check_unit(actor: Actor, roster_unit_id: int) -> None:
    if not actor.tenant_wide and (actor.organisation is None or actor.organisation.pk != roster_unit_id):
        raise Forbidden("只能处理本单位的名单。")


def _check_town(actor: Actor, roster: Roster) -> None:
    if not actor.tenant_wide and (actor.organisation is None or actor.organisation.pk != roster.town_id):
        raise Forbidden("只能处理报送本镇街的名单。")


def quota_of(roster: Roster) -> int:
    quota = UnitQuota.objects.filter(unit_id=roster.unit_id, town_id=roster.town_id).first()
    return quota.count if quota else 0


@transaction.atomic
def open_roster(*, actor: Actor, unit: Organisation, town: Organisation) -> Roster:
    """A draft roster for the current set-up campaign (the year of the policy's roster cutoff)."""
    if not actor.system and not actor.has(*UNIT_SIDE):
        raise Forbidden("只有部门单位联络员可以填报名单。")
    _check_unit(actor, unit.pk)
    if unit.tenant_id != actor.tenant.pk or unit.kind != OrgKind.UNIT:
        raise ValidationFailed.on("unit", "部门单位不存在。")
    if town.tenant_id != actor.tenant.pk or town.kind != OrgKind.TOWN:
        raise ValidationFailed.on("town", "镇街不存在。")
    if not UnitQuota.objects.filter(unit=unit, town=town).exists():
        raise ValidationFailed.on("town", f"分配明细表（附件6）中{unit.name}没有向{town.name}派出第一帮扶责任人的任务。")
    policy = Policy.current(actor.tenant, clock.local_today(actor.tenant.time_zone))
    roster = Roster(tenant=actor.tenant, unit=unit, town=town, year=policy.roster_cutoff.year, cutoff=policy.roster_cutoff)
    try:
        with transaction.atomic():
            roster.save()
    except IntegrityError:
        raise Conflict(f"{unit.name}报送{town.name}的{roster.year}年名单已存在。") from None
    transitions.log_creation(roster, actor=actor)
    return roster


def _clean_entries(roster: Roster, entries: list[EntryInput], tenant) -> list[RosterEntry]:
    problems: dict[str, list[str]] = {}
    seen: set[int] = set()
    rows = []
    elsewhere = dict(RosterEntry.objects.filter(roster__tenant=tenant, roster__year=roster.year,
                                                person__in=[e.person for e in entries])
                     .exclude(roster=roster).values_list("person_id", "roster__town__name"))
    for i, e in enumerate(entries):
        field = f"entries[{i}]"
        p = e.person
        if p.tenant_id != tenant.pk or p.organisation_id != roster.unit_id:
            problems[field] = [f"第{i + 1}行：{p.name}不是{roster.unit.name}的干部。"]
        elif not p.can_be_first_helper:
            problems[field] = [f"第{i + 1}行：{p.name}不能担任第一帮扶责任人：须为在岗党员干部。"]
        elif p.pk in seen:
            problems[field] = [f"第{i + 1}行：{p.name}重复。"]
        elif p.pk in elsewhere:
            problems[field] = [f"第{i + 1}行：{p.name}已在报送{elsewhere[p.pk]}的名单上。"]
        seen.add(p.pk)
        phone = e.phone or p.phone
        try:
            phone = validate_phone(phone, default_area=tenant.area_code) if phone else ""
        except InvalidValue as exc:
            problems.setdefault(field, []).append(f"第{i + 1}行：{exc}")
        if not phone:
            problems.setdefault(field, []).append(f"第{i + 1}行：请填写{p.name}的联系电话。")
        rows.append(RosterEntry(tenant=tenant, roster=roster, person=p, position=(e.position or p.position)[:60],
                                phone=phone))
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    return rows


@transaction.atomic
def set_entries(*, actor: Actor, roster: Roster, entries: list[EntryInput]) -> Roster:
    """Replace the draft's entries (the person, position and phone of each first helper)."""
    if not actor.system and not actor.has(*UNIT_SIDE):
        raise Forbidden("只有部门单位联络员可以填报名单。")
    _check_unit(actor, roster.unit_id)
    locked = Roster.objects.select_for_update().get(pk=roster.pk)
    if locked.state != RosterState.DRAFT:
        raise TransitionNotAllowed(f"名单状态为“{locked.get_state_display()}”，只有草稿可以修改。")
    rows = _clean_entries(roster, entries, actor.tenant)
    RosterEntry.objects.filter(roster=roster).delete()
    RosterEntry.objects.bulk_create(rows)
    transitions.log_event(roster, "edit_entries", actor=actor, data={"people": [r.person_id for r in rows]})
    return roster


@transaction.atomic
def submit(*, actor: Actor, roster: Roster, reason: str = "") -> Roster:
    """Refuses a count different from the unit's A6 quota for that town; after the cutoff it is late."""
    _check_unit(actor, roster.unit_id)
    count, quota = roster.entries.count(), quota_of(roster)
    if count != quota:
        message = f"名单人数为{count}人，与分配明细表（附件6）中{roster.unit.name}派往{roster.town.name}的{quota}人不一致。"
        raise ValidationFailed(message, fields={"entries": [message]})
    now = clock.now()
    today = clock.local_today(actor.tenant.time_zone)
    late = submitted_late(today, roster.cutoff, Policy.current(actor.tenant, today))
    return transitions.apply(roster, "submit", actor=actor, roles=(Role.OPERATOR, Role.UNIT_LIAISON), reason=reason,
                             data={"count": count, "late": late}, at=now, late=late)


@transaction.atomic
def accept(*, actor: Actor, roster: Roster, reason: str = "") -> Roster:
    _check_town(actor, roster)
    return transitions.apply(roster, "accept", actor=actor, roles=TOWN_SIDE, reason=reason, at=clock.now())


@transaction.atomic
def return_to_unit(*, actor: Actor, roster: Roster, reason: str) -> Roster:
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "退回名单须说明原因。")
    _check_town(actor, roster)
    transitions.apply(roster, "return_to_unit", actor=actor, roles=TOWN_SIDE, reason=reason, at=clock.now(),
                      why=reason.strip())
    notify(tenant=roster.tenant, recipients=recipients.for_organisation(roster.unit), kind="roster_returned",
           key=f"roster:{roster.pk}:returned:{roster.decided_at.isoformat()}", obj=roster,
           context={"unit_name": roster.unit.name, "town_name": roster.town.name, "reason": roster.return_reason})
    return roster


@transaction.atomic
def revise(*, actor: Actor, roster: Roster, reason: str = "") -> Roster:
    _check_unit(actor, roster.unit_id)
    return transitions.apply(roster, "revise", actor=actor, roles=UNIT_SIDE, reason=reason)
