"""Pairing services: assign (S1–S3 eligibility and capacity, S10 accepted roster), activate at the first
meeting, end with a reason. A helper change outside a filed replacement is recorded as unfiled (S7)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import CapacityExceeded, Conflict, Forbidden, NotEligible, ValidationFailed
from backend.directory.models import OrgKind, Person
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from workflows.accountability.services import record_unfiled_change
from workflows.core import transitions
from workflows.rosters.selectors import on_accepted_roster

from .models import EndReason, Pairing, PairingState

ASSIGNERS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE)


def _check_town(actor: Actor, household: Household) -> None:
    if actor.has(Role.TOWN_OFFICE) and not actor.tenant_wide and household.village.town_id != actor.organisation.pk:
        raise Forbidden("只能为本镇街的贫困户安排帮扶责任人。")


def check_eligibility(*, household: Household, first_helper: Person, second_helper: Person, policy: Policy,
                      on: dt.date) -> None:
    problems: dict[str, list[str]] = {}
    if not household.in_scope(policy, on.year):
        problems["household"] = ["该户不属于帮扶对象（脱贫享受政策、新识别或返贫户）。"]
    if not first_helper.can_be_first_helper:
        problems["first_helper"] = [f"{first_helper.name}不能担任第一帮扶责任人：须为市直机关事业单位、驻莱单位或国有企业的在岗党员干部。"]
    if not second_helper.can_be_second_helper:
        problems["second_helper"] = [f"{second_helper.name}不能担任第二帮扶责任人：须为镇街干部、村干部或“两代表一委员”。"]
    elif (second_helper.organisation.kind == OrgKind.TOWN
          and second_helper.organisation_id != household.village.town_id):
        problems["second_helper"] = [f"{second_helper.name}不属于该户所在镇街。"]
    if first_helper.pk == second_helper.pk:
        problems["second_helper"] = ["第一、第二帮扶责任人不能是同一人。"]
    if problems:
        raise NotEligible(next(iter(problems.values()))[0], fields=problems)


def _free_slot(helper: Person, role: str, capacity: int) -> int:
    taken = set(Pairing.objects.open().filter(**{f"{role}_helper": helper}).values_list(f"{role}_slot", flat=True))
    for slot in range(1, capacity + 1):
        if slot not in taken:
            return slot
    title = "第一帮扶责任人" if role == "first" else "第二帮扶责任人"
    raise CapacityExceeded(f"{helper.name}作为{title}已帮扶{len(taken)}户，达到上限{capacity}户。",
                           fields={f"{role}_helper": [f"已达上限{capacity}户。"]})


def check_roster(*, household: Household, first_helper: Person) -> None:
    """S10: a first helper is available in a town once their unit's roster for it has been accepted."""
    town = household.village.town
    if not on_accepted_roster(first_helper, town.pk):
        message = f"{first_helper.name}不在{first_helper.organisation.name}报送{town.name}并已接收的第一帮扶责任人名单上。"
        raise NotEligible(message, fields={"first_helper": [message]})


def _detect_unfiled_change(household: Household, first_helper: Person, second_helper: Person, on: dt.date,
                           policy: Policy) -> None:
    """A household re-paired with other helpers soon after an early end, with no replacement filed (S7)."""
    previous = (Pairing.objects.filter(household=household, state=PairingState.ENDED)
                .exclude(end_reason=EndReason.TERM_OVER).select_related("first_helper__organisation")
                .order_by("-ended_on", "-id").first())
    if previous is None or previous.replaced_by_filing or previous.ended_on is None:
        return
    if (on - previous.ended_on).days > policy.replacement_notice_days:
        return
    for role, old, new in (("first", previous.first_helper, first_helper),
                           ("second", previous.second_helper, second_helper)):
        if old.pk != new.pk:
            record_unfiled_change(pairing=previous, role=role, on=on,
                                  detail=f"{old.name}结对于{previous.ended_on}结束后未经备案改由{new.name}帮扶")
            return


@transaction.atomic
def assign(*, actor: Actor, household: Household, first_helper: Person, second_helper: Person,
           on: dt.date | None = None, reason: str = "", replacement=None) -> Pairing:
    """Propose a pairing. Capacity holds under concurrency: the (helper, slot) unique index refuses a
    second writer of the same slot, and we then look again for a free one.

    `replacement` is the accepted replacement this pairing carries out: the city office's acceptance stands
    in for the roster, and the change is filed, so it is not recorded as unfiled.
    """
    if not actor.system and not actor.has(*ASSIGNERS):
        raise Forbidden("只有镇街扶贫办或市扶贫办可以安排结对。")
    if {household.tenant_id, first_helper.tenant_id, second_helper.tenant_id} != {actor.tenant.pk}:
        raise ValidationFailed("贫困户或帮扶责任人不存在。")
    _check_town(actor, household)
    on = on or clock.local_today(actor.tenant.time_zone)
    policy = Policy.current(actor.tenant, on)
    check_eligibility(household=household, first_helper=first_helper, second_helper=second_helper,
                      policy=policy, on=on)
    if replacement is None:
        check_roster(household=household, first_helper=first_helper)
        _detect_unfiled_change(household, first_helper, second_helper, on, policy)
    term_end = min(on + relativedelta(years=policy.pairing_term_years), policy.programme_end)
    for _attempt in range(policy.first_helper_max_households + policy.second_helper_max_households + 1):
        if Pairing.objects.open().filter(household=household).exists():
            raise Conflict(f"{household.head_name}户已有帮扶责任人。", fields={"household": ["已结对。"]})
        pairing = Pairing(
            tenant=actor.tenant, household=household, first_helper=first_helper, second_helper=second_helper,
            first_slot=_free_slot(first_helper, "first", policy.first_helper_max_households),
            second_slot=_free_slot(second_helper, "second", policy.second_helper_max_households),
            proposed_on=on, term_end=term_end,
        )
        try:
            with transaction.atomic():
                pairing.save()
        except IntegrityError:
            continue  # someone took the same slot or household first; look again
        transitions.log_creation(pairing, actor=actor, reason=reason)
        return pairing
    raise Conflict("结对冲突，请重试。")


@transaction.atomic
def activate(*, actor: Actor, pairing: Pairing, met_on: dt.date, reason: str = "", replacement=None) -> Pairing:
    """The first in-person meeting of both helpers with the household (S10); late after the in-place cutoff.
    A handover under an accepted replacement is never late: the cutoff is the set-up campaign's."""
    _check_town(actor, pairing.household)
    if met_on < pairing.proposed_on:
        raise ValidationFailed.on("met_on", "见面日期不能早于结对日期。")
    policy = Policy.current(actor.tenant, met_on)
    # Late only for households known at the set-up campaign; later-identified ones have no such cutoff.
    late = (replacement is None and met_on > policy.in_place_cutoff
            and pairing.household.identified_year <= policy.in_place_cutoff.year)
    return transitions.apply(pairing, "activate", actor=actor, roles=ASSIGNERS, reason=reason,
                             data={"met_on": met_on.isoformat(), "late": late}, met_on=met_on, late=late)


@transaction.atomic
def end(*, actor: Actor, pairing: Pairing, on: dt.date, reason_code: str, reason: str = "",
        replacement=None) -> Pairing:
    """End a pairing with its reason. Ending it as "replaced" without an accepted replacement (更换备案)
    is an unfiled change, recorded against the first helper's unit (S7)."""
    if reason_code not in EndReason.values:
        raise ValidationFailed.on("end_reason", "请选择结束原因：帮扶期满、贫困户退出、更换帮扶责任人或贫困户注销。")
    if on < pairing.proposed_on:
        raise ValidationFailed.on("on", "结束日期不能早于结对日期。")
    _check_town(actor, pairing.household)
    data = {"on": on.isoformat(), "end_reason": reason_code}
    if replacement is not None:
        data["replacement"] = replacement.pk
    transitions.apply(pairing, "end", actor=actor, roles=ASSIGNERS, reason=reason, data=data, on=on,
                      end_reason=reason_code, filed=replacement is not None)
    if reason_code == EndReason.REPLACED and replacement is None:
        record_unfiled_change(pairing=pairing, role="first", on=on,
                              detail=f"{pairing.first_helper.name}的结对以“更换帮扶责任人”结束，但未向市扶贫办备案")
    return pairing
