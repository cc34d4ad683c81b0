"""Help plan services (A4): draft, edit, publish (the earlier published version becomes `revised`), revise.

The first helper of the pairing keeps the plan (S4); the town office of the household's town and the city
office may do the same. Every change runs in one transaction; transitions are logged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max

from backend.common.errors import Conflict, TransitionNotAllowed, ValidationFailed
from backend.households.codes import labels
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from workflows.core import transitions
from workflows.pairings.models import OPEN_STATES

from .access import d, helper_role, is_city_office, is_town_office_of, local_today, require, same_tenant
from .models import MEASURE_LIST, HelpPlan, PlanItem, PlanState

KEEPERS = (Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE, Role.FIRST_HELPER)
ITEM_FIELDS = ("measure", "content", "responsible", "expected_benefit", "expected_amount", "starts_on", "ends_on")
TEXT_LIMITS = {"headline": 120, "content": 300, "responsible": 100, "expected_benefit": 300}


def _check_keeper(actor: Actor, pairing) -> None:
    same_tenant(actor, pairing)
    require(is_city_office(actor) or is_town_office_of(actor, pairing.household)
            or helper_role(actor, pairing) == "first",
            "只有该户的第一帮扶责任人、所在镇街扶贫办或市扶贫办可以制定帮扶计划。")


def clean_items(items: list[dict]) -> list[dict]:
    """Validated items, or ValidationFailed naming each bad field as `items[i].field` in Chinese."""
    measures = labels(MEASURE_LIST)
    problems: dict[str, list[str]] = {}
    cleaned = []
    for i, raw in enumerate(items):
        row = {f: raw.get(f) for f in ITEM_FIELDS}
        where = f"第{i + 1}项措施"

        def bad(field: str, message: str, _i=i) -> None:
            problems.setdefault(f"items[{_i}].{field}", []).append(message)

        if row["measure"] not in measures:
            bad("measure", f"{where}：措施类别“{row['measure'] or ''}”不在帮扶措施代码表中。")
        for field, label in (("content", "具体措施"), ("expected_benefit", "预期成效")):
            if not (row[field] or "").strip():
                bad(field, f"{where}：请填写{label}。")
        for field, limit in TEXT_LIMITS.items():
            if field in row and len((row[field] or "").strip()) > limit:
                bad(field, f"{where}：内容不能超过{limit}字。")
        row["expected_amount"] = _amount(row["expected_amount"], where, bad)
        starts, ends = row["starts_on"], row["ends_on"]
        if not isinstance(starts, dt.date):
            bad("starts_on", f"{where}：请填写开始日期。")
        if not isinstance(ends, dt.date):
            bad("ends_on", f"{where}：请填写完成日期。")
        if isinstance(starts, dt.date) and isinstance(ends, dt.date) and ends < starts:
            bad("ends_on", f"{where}：完成日期{d(ends)}早于开始日期{d(starts)}。")
        for field in ("content", "responsible", "expected_benefit"):
            row[field] = (row[field] or "").strip()
        cleaned.append(row)
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    return cleaned


def _amount(value, where: str, bad) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        bad("expected_amount", f"{where}：预期增收金额无法识别。")
        return None
    if amount < 0:
        bad("expected_amount", f"{where}：预期增收金额不能为负数。")
    elif amount != amount.quantize(Decimal("0.01")):
        bad("expected_amount", f"{where}：预期增收金额最多保留两位小数（元、角、分）。")
    return amount


def _write_items(plan: HelpPlan, items: list[dict]) -> None:
    plan.items.all().delete()
    PlanItem.objects.bulk_create([PlanItem(tenant_id=plan.tenant_id, plan=plan, order=i + 1, **row)
                                  for i, row in enumerate(items)])


def _headline(value: str | None) -> str:
    headline = (value or "").strip()
    if len(headline) > TEXT_LIMITS["headline"]:
        raise ValidationFailed.on("headline", f"帮扶计划概要不能超过{TEXT_LIMITS['headline']}字。")
    return headline


@transaction.atomic
def create(*, actor: Actor, pairing, headline: str = "", goal: str = "", items: list[dict],
           reason: str = "") -> HelpPlan:
    """A new draft for the pairing: its first plan, or the next version when one is published."""
    _check_keeper(actor, pairing)
    if pairing.state not in OPEN_STATES:
        raise ValidationFailed.on("pairing", "该结对已结束，不能再制定帮扶计划。")
    headline, cleaned = _headline(headline), clean_items(items)
    plans = HelpPlan.objects.select_for_update().filter(pairing=pairing)
    if plans.filter(state=PlanState.DRAFT).exists():
        raise Conflict("该户已有一份帮扶计划草稿，请在草稿上修改。", fields={"pairing": ["已有草稿。"]})
    published = plans.filter(state=PlanState.PUBLISHED).first()
    version = (plans.aggregate(m=Max("version"))["m"] or 0) + 1
    plan = HelpPlan(tenant_id=pairing.tenant_id, pairing=pairing, household_id=pairing.household_id, version=version,
                    headline=headline, goal=(goal or "").strip(), revises=published, created_by=actor.user)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # a concurrent request made the draft first
        raise Conflict("该户已有一份帮扶计划草稿，请刷新后修改。") from None
    _write_items(plan, cleaned)
    transitions.log_creation(plan, actor=actor, reason=reason, data={"version": version, "items": len(cleaned)})
    return plan


@transaction.atomic
def update(*, actor: Actor, plan: HelpPlan, headline: str | None = None, goal: str | None = None,
           items: list[dict] | None = None) -> HelpPlan:
    """Change a draft; published and revised versions are kept as they were shown."""
    _check_keeper(actor, plan.pairing)
    plan = HelpPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != PlanState.DRAFT:
        raise TransitionNotAllowed(f"第{plan.version}版帮扶计划已{plan.get_state_display()}，不能修改；"
                                   "请先“修订”生成新草稿。")
    if headline is not None:
        plan.headline = _headline(headline)
    if goal is not None:
        plan.goal = goal.strip()
    if items is not None:
        _write_items(plan, clean_items(items))
    plan.save()
    return plan


@transaction.atomic
def publish(*, actor: Actor, plan: HelpPlan, on: dt.date | None = None, reason: str = "") -> HelpPlan:
    """Publish a draft; the version published before it becomes `revised` in the same transaction."""
    _check_keeper(actor, plan.pairing)
    on = on or local_today(plan.pairing.tenant)
    problems = {}
    if not plan.headline:
        problems["headline"] = ["公布前请填写帮扶计划概要（用于村级公示和帮扶责任清单）。"]
    if not plan.items.exists():
        problems["items"] = ["公布前请至少填写一项帮扶措施。"]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    previous = (HelpPlan.objects.select_for_update()
                .filter(pairing_id=plan.pairing_id, state=PlanState.PUBLISHED).exclude(pk=plan.pk).first())
    if previous is not None:
        transitions.apply(previous, "supersede", actor=actor, roles=KEEPERS, reason=reason,
                          data={"by_version": plan.version}, on=on)
    return transitions.apply(plan, "publish", actor=actor, roles=KEEPERS, reason=reason,
                             data={"on": on.isoformat(), "revises": getattr(previous, "version", None)}, on=on)


@transaction.atomic
def revise(*, actor: Actor, plan: HelpPlan, reason: str = "") -> HelpPlan:
    """A new draft that starts as a copy of the published version."""
    if plan.state != PlanState.PUBLISHED:
        raise TransitionNotAllowed("只能修订已公布的帮扶计划。")
    items = [{f: getattr(i, f) for f in ITEM_FIELDS} for i in plan.items.all()]
    return create(actor=actor, pairing=plan.pairing, headline=plan.headline, goal=plan.goal, items=items,
                  reason=reason or f"修订第{plan.version}版")
