"""Income statement services (S16, A2): prepare and correct, verify (second helper), distribute, return.

Preparing is done by the household's first helper (S4: helps with income accounting), the town office or
the city office; verifying only by the second helper of the pairing (the notice: 由第二帮扶责任人核实).
Totals and flags are recomputed whenever amounts change and again on verification.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import Conflict, TransitionNotAllowed, ValidationFailed
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from notifications.services import notify
from workflows.core import recipients, transitions
from workflows.core.models import TransitionLog
from workflows.pairings.models import Pairing
from workflows.plans.access import (
    d,
    helper_role,
    is_city_office,
    is_town_office_of,
    local_today,
    require,
    same_tenant,
)

from . import lines as year_lines
from .flags import refresh_flags
from .models import EDITABLE_STATES, IncomeAmount, IncomeLine, IncomeStatement, StatementState
from .totals import FEN, Entry, compute

PREPARERS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE, Role.FIRST_HELPER, Role.SECOND_HELPER)
VERIFIERS = (Role.SECOND_HELPER,)
DISTRIBUTORS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE, Role.FIRST_HELPER, Role.SECOND_HELPER)
RETURNERS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE, Role.SECOND_HELPER)
MAX_AMOUNT = Decimal("9999999999.99")


def _may_handle(actor: Actor, statement_or_pairing, household) -> bool:
    if isinstance(statement_or_pairing, IncomeStatement):
        pairings = _pairings_of(statement_or_pairing)
    else:
        pairings = [statement_or_pairing]
    return (is_city_office(actor) or is_town_office_of(actor, household)
            or any(helper_role(actor, p) is not None for p in pairings))


def parse_amounts(raw: dict, lines: list[IncomeLine]) -> dict[IncomeLine, Decimal]:
    """{line code: amount} → {line: Decimal}; every bad entry is named with its line, in Chinese."""
    by_code = {line.code: line for line in lines}
    problems: dict[str, list[str]] = {}
    parsed: dict[IncomeLine, Decimal] = {}
    if not isinstance(raw, dict):
        raise ValidationFailed.on("amounts", "收入明细应为“项目代码: 金额”的形式。")
    for code, value in raw.items():
        line = by_code.get(str(code))
        key = f"amounts.{code}"
        if line is None:
            problems[key] = [f"“{code}”不是本年度收入明细表中的项目。"]
            continue
        if value in (None, ""):
            continue
        try:
            amount = Decimal(str(value).strip())
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems[key] = [f"“{line.title}”的金额“{value}”不是有效的数字。"]
            continue
        if amount < 0:
            problems[key] = [f"“{line.title}”的金额不能为负数（填写的是{value}元）。"]
        elif amount != amount.quantize(FEN):
            problems[key] = [f"“{line.title}”的金额最多保留两位小数（元、角、分）。"]
        elif amount > MAX_AMOUNT:
            problems[key] = [f"“{line.title}”的金额过大。"]
        elif amount > 0:
            parsed[line] = amount
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    return parsed


def _recompute(statement: IncomeStatement) -> IncomeStatement:
    rows = IncomeAmount.objects.filter(statement=statement).select_related("line")
    totals = compute([Entry(r.line.category, r.amount, r.line.counts_toward_net) for r in rows],
                     statement.household_size)
    statement.gross, statement.expenses = totals.gross, totals.expenses
    statement.net, statement.per_capita = totals.net, totals.per_capita
    refresh_flags(statement)
    return statement


def _write(statement: IncomeStatement, amounts: dict[IncomeLine, Decimal]) -> None:
    IncomeAmount.objects.filter(statement=statement).delete()
    IncomeAmount.objects.bulk_create([IncomeAmount(tenant_id=statement.tenant_id, statement=statement, line=line,
                                                   amount=amount) for line, amount in amounts.items()])


def _check_year(tenant, year: int) -> None:
    if year > local_today(tenant).year:
        raise ValidationFailed.on("year", f"{year}年尚未开始，不能编制该年度收入明细表。")
    if year < 2000:
        raise ValidationFailed.on("year", "年度无效。")


@transaction.atomic
def prepare(*, actor: Actor, household, year: int, amounts: dict, note: str = "", reason: str = "") -> IncomeStatement:
    """The household's statement for `year`, as a draft with its totals and flags."""
    same_tenant(actor, household)
    pairing = (Pairing.objects.open().filter(household=household).select_related("household__village")
               .first())
    if pairing is None:
        raise ValidationFailed.on("household", f"{household.head_name}户尚未结对，没有负责核实的第二帮扶责任人。")
    require(_may_handle(actor, pairing, household),
            "只有该户的帮扶责任人、所在镇街扶贫办或市扶贫办可以填报年度收入明细表。")
    require(actor.has(*PREPARERS) or actor.system, "您没有填报年度收入明细表的权限。")
    _check_year(actor.tenant, year)
    parsed = parse_amounts(amounts, year_lines.for_year(actor.tenant, year))
    statement = IncomeStatement(tenant=actor.tenant, household=household, pairing=pairing, year=year,
                                household_size=household.size, gross=0, expenses=0, net=0, per_capita=0,
                                note=(note or "").strip(), prepared_by=actor.user)
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError:
        raise Conflict(f"{household.head_name}户{year}年的收入明细表已存在。",
                       fields={"year": ["该年度已有收入明细表。"]}) from None
    _write(statement, parsed)
    _recompute(statement).save()
    transitions.log_creation(statement, actor=actor, reason=reason, data={"year": year})
    return statement


@transaction.atomic
def correct(*, actor: Actor, statement: IncomeStatement, amounts: dict, household_size: int | None = None,
            note: str | None = None, reason: str = "") -> IncomeStatement:
    """Replace the amounts of a draft or returned statement (a returned one goes back to draft, logged)."""
    same_tenant(actor, statement)
    statement = IncomeStatement.objects.select_for_update().select_related("household__village", "pairing").get(
        pk=statement.pk)
    require(_may_handle(actor, statement, statement.household),
            "只有该户的帮扶责任人、所在镇街扶贫办或市扶贫办可以修改年度收入明细表。")
    if statement.state not in EDITABLE_STATES:
        raise TransitionNotAllowed(f"收入明细表已{statement.get_state_display()}，不能修改；如有错误请先退回。")
    parsed = parse_amounts(amounts, year_lines.for_year(statement.tenant, statement.year))
    if household_size is not None:
        if household_size < 1:
            raise ValidationFailed.on("household_size", "家庭人口数至少为1人。")
        statement.household_size = household_size
    if note is not None:
        statement.note = note.strip()
    if statement.state == StatementState.RETURNED:
        transitions.apply(statement, "reopen", actor=actor, roles=PREPARERS, reason=reason or "修改后重新填报")
    _write(statement, parsed)
    _recompute(statement).save()
    return statement


@transaction.atomic
def submit(*, actor: Actor, statement: IncomeStatement, amounts: dict, household_size: int | None = None,
           note: str | None = None) -> IncomeStatement:
    """The first helper's figures saved and sent to the household's second helper to verify (told once per
    round: a statement returned and submitted again tells them again)."""
    statement = correct(actor=actor, statement=statement, amounts=amounts, household_size=household_size, note=note,
                        reason="提交核实")
    _tell(statement, "second_helper", "income_submitted", per_capita=f"{statement.per_capita:,.2f}")
    return statement


def _tell(statement: IncomeStatement, helper: str, kind: str, **context) -> None:
    """A message to that helper of the household's current pairing, once per round of the statement (the
    number of returns so far is in the key)."""
    rounds = TransitionLog.objects.for_object(statement).filter(transition="return_for_correction").count()
    pairings = Pairing.objects.open().filter(household_id=statement.household_id).select_related(helper)
    for pairing in pairings:
        person = getattr(pairing, helper)
        notify(tenant=statement.tenant, recipients=recipients.for_person(person), kind=kind,
               key=f"income:{statement.pk}:{kind}:{rounds}", obj=statement, town=statement.household.village.town_id,
               context={"helper_name": person.name, "household_name": statement.household.head_name,
                        "year": statement.year, **context})


@transaction.atomic
def verify(*, actor: Actor, statement: IncomeStatement, reason: str = "") -> IncomeStatement:
    same_tenant(actor, statement)
    require(any(helper_role(actor, p) == "second" for p in _pairings_of(statement)),
            "年度收入明细表由该户的第二帮扶责任人核实。")
    _recompute(statement)
    return transitions.apply(statement, "verify", actor=actor, roles=VERIFIERS, reason=reason,
                             data={"per_capita": str(statement.per_capita)}, by=actor.person, at=clock.now())


def _pairings_of(statement: IncomeStatement) -> list:
    """The pairing the statement was prepared under and the household's current one (after a replacement the
    new helpers take over)."""
    current = Pairing.objects.open().filter(household_id=statement.household_id).exclude(pk=statement.pairing_id)
    return [statement.pairing, *current]


@transaction.atomic
def distribute(*, actor: Actor, statement: IncomeStatement, on: dt.date | None = None,
               reason: str = "") -> IncomeStatement:
    """The verified table handed to the household (发放到户)."""
    same_tenant(actor, statement)
    require(_may_handle(actor, statement, statement.household),
            "只有该户的帮扶责任人、所在镇街扶贫办或市扶贫办可以登记发放。")
    today = local_today(statement.tenant)
    on = on or today
    if on > today:
        raise ValidationFailed.on("on", f"发放日期{d(on)}晚于今天。")
    if statement.verified_at is not None and on < _local_date(statement.verified_at, statement.tenant):
        raise ValidationFailed.on("on", f"发放日期{d(on)}早于核实日期。")
    return transitions.apply(statement, "distribute", actor=actor, roles=DISTRIBUTORS, reason=reason,
                             data={"on": on.isoformat()}, on=on)


def _local_date(at: dt.datetime, tenant) -> dt.date:
    return at.astimezone(ZoneInfo(tenant.time_zone)).date()


@transaction.atomic
def return_for_correction(*, actor: Actor, statement: IncomeStatement, reason: str) -> IncomeStatement:
    same_tenant(actor, statement)
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "退回须说明原因。")
    require(is_city_office(actor) or is_town_office_of(actor, statement.household)
            or any(helper_role(actor, p) == "second" for p in _pairings_of(statement)),
            "只有该户的第二帮扶责任人、所在镇街扶贫办或市扶贫办可以退回收入明细表。")
    transitions.apply(statement, "return_for_correction", actor=actor, roles=RETURNERS, reason=reason,
                      why=reason.strip())
    _tell(statement, "first_helper", "income_returned", reason=reason.strip())
    return statement
