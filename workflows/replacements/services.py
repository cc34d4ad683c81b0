"""Replacement services (S7): file with the city office, accept (enough notice, or a listed special reason
and then urgent) or reject, and take effect on the effective date: the old pairing ends and the new one is
active in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import Conflict, Forbidden, TransitionNotAllowed, ValidationFailed
from backend.directory.models import Person
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from workflows.core import transitions
from workflows.pairings import services as pairings
from workflows.pairings.models import OPEN_STATES, EndReason, Pairing, PairingState

from .models import HelperSide, Replacement, ReplacementReason, ReplacementState

FILERS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE, Role.UNIT_LIAISON)
DECIDERS = (Role.OPERATOR, Role.CITY_OFFICE)


def _check_filer(actor: Actor, pairing: Pairing, side: str) -> None:
    if actor.tenant_wide:
        return
    org = getattr(actor.organisation, "pk", None)
    if actor.has(Role.TOWN_OFFICE) and pairing.household.village.town_id == org:
        return
    if actor.has(Role.UNIT_LIAISON) and side == HelperSide.FIRST and pairing.first_helper.organisation_id == org:
        return
    raise Forbidden("只能为本单位的第一帮扶责任人或本镇街的结对备案更换。")


def _swapped(pairing: Pairing, side: str, new_helper: Person) -> tuple[Person, Person]:
    if side == HelperSide.FIRST:
        return new_helper, pairing.second_helper
    return pairing.first_helper, new_helper


def notice_ok(replacement: Replacement, policy: Policy) -> bool:
    return replacement.effective_on >= replacement.filed_on + dt.timedelta(days=policy.replacement_notice_days)


@transaction.atomic
def file(*, actor: Actor, pairing: Pairing, side: str, new_helper: Person, reason_code: str, effective_on: dt.date,
         reason: str = "") -> Replacement:
    if not actor.system and not actor.has(*FILERS):
        raise Forbidden("只有部门单位、镇街扶贫办或市扶贫办可以备案更换帮扶责任人。")
    if side not in HelperSide.values:
        raise ValidationFailed.on("side", "请选择更换第一还是第二帮扶责任人。")
    if reason_code not in ReplacementReason.values:
        raise ValidationFailed.on("reason_code", "请选择更换原因。")
    if new_helper.tenant_id != actor.tenant.pk:
        raise ValidationFailed.on("new_helper", "人员不存在。")
    _check_filer(actor, pairing, side)
    if pairing.state not in OPEN_STATES:
        raise Conflict("该结对已结束，不能再备案更换。")
    old = pairing.first_helper if side == HelperSide.FIRST else pairing.second_helper
    if old.pk == new_helper.pk:
        raise ValidationFailed.on("new_helper", "新帮扶责任人与原帮扶责任人相同。")
    filed_on = clock.local_today(actor.tenant.time_zone)
    if effective_on < filed_on:
        raise ValidationFailed.on("effective_on", f"生效日期{effective_on}不能早于备案日期{filed_on}。")
    first, second = _swapped(pairing, side, new_helper)
    pairings.check_eligibility(household=pairing.household, first_helper=first, second_helper=second,
                               policy=Policy.current(actor.tenant, effective_on), on=effective_on)
    replacement = Replacement(tenant=actor.tenant, pairing=pairing, side=side, old_helper=old, new_helper=new_helper,
                              reason_code=reason_code, reason=reason, filed_on=filed_on, effective_on=effective_on)
    try:
        with transaction.atomic():
            replacement.save()
    except IntegrityError:
        raise Conflict("该结对已有待审核或待生效的更换备案。") from None
    transitions.log_creation(replacement, actor=actor, reason=reason,
                             data={"effective_on": effective_on.isoformat(), "reason_code": reason_code})
    return replacement


@transaction.atomic
def accept(*, actor: Actor, replacement: Replacement, reason: str = "") -> Replacement:
    """Enough notice, or a listed special reason (then flagged urgent); takes effect at once when due."""
    policy = Policy.current(actor.tenant, replacement.filed_on)
    urgent = not notice_ok(replacement, policy)
    if urgent and replacement.reason_code not in policy.replacement_special_reasons:
        earliest = replacement.filed_on + dt.timedelta(days=policy.replacement_notice_days)
        message = (f"生效日期{replacement.effective_on}早于备案日期{replacement.filed_on}后{policy.replacement_notice_days}天"
                   f"（{earliest}），且更换原因“{replacement.get_reason_code_display()}”不属于可紧急更换的特殊情形。")
        raise ValidationFailed(message, fields={"effective_on": [message]})
    transitions.apply(replacement, "accept", actor=actor, roles=DECIDERS, reason=reason,
                      data={"urgent": urgent}, at=clock.now(), urgent=urgent, note=reason)
    if replacement.effective_on <= clock.local_today(actor.tenant.time_zone):
        take_effect(actor=actor, replacement=replacement)
    return replacement


@transaction.atomic
def reject(*, actor: Actor, replacement: Replacement, reason: str) -> Replacement:
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "不同意更换须说明理由。")
    return transitions.apply(replacement, "reject", actor=actor, roles=DECIDERS, reason=reason, at=clock.now(),
                             note=reason.strip())


@transaction.atomic
def take_effect(*, actor: Actor, replacement: Replacement, reason: str = "") -> Replacement:
    """The old pairing ends ("replaced", filed) and the new one starts, active from the effective date."""
    if not actor.system and not actor.has(*DECIDERS):
        raise Forbidden("只有市扶贫办可以执行更换。")
    today = clock.local_today(actor.tenant.time_zone)
    if replacement.state == ReplacementState.ACCEPTED and replacement.effective_on > today:
        raise TransitionNotAllowed(f"该更换{replacement.effective_on}生效，尚未到生效日期。")
    old = Pairing.objects.select_related("household__village", "first_helper", "second_helper").get(
        pk=replacement.pairing_id)
    was_active = old.state == PairingState.ACTIVE
    on = replacement.effective_on
    pairings.end(actor=actor, pairing=old, on=on, reason_code=EndReason.REPLACED, replacement=replacement,
                 reason=f"更换备案#{replacement.pk}")
    first, second = _swapped(old, replacement.side, replacement.new_helper)
    new = pairings.assign(actor=actor, household=old.household, first_helper=first, second_helper=second, on=on,
                          replacement=replacement, reason=f"更换备案#{replacement.pk}")
    if was_active:
        pairings.activate(actor=actor, pairing=new, met_on=on, reason=f"更换备案#{replacement.pk}交接",
                          replacement=replacement)
    return transitions.apply(replacement, "take_effect", actor=actor, roles=DECIDERS, reason=reason,
                             data={"new_pairing": new.pk}, at=clock.now(), new_pairing=new)


def take_effect_due(*, tenant: Tenant, on: dt.date | None = None) -> int:
    """Every accepted replacement whose effective date has come; each in its own transaction. Safe to run
    twice or on two workers: a replacement already taken effect is no longer `accepted`."""
    actor = Actor.system_for(tenant)
    on = on or clock.local_today(tenant.time_zone)
    done = 0
    for replacement in Replacement.objects.for_tenant(tenant).due(on).select_related("new_helper"):
        try:
            take_effect(actor=actor, replacement=replacement)
        except Conflict:
            continue  # another worker took it first
        done += 1
    return done
