"""The registry of document kinds: what each needs, who may have it, how it is built.

`scope` says whose records a document shows, and so who may request and later download it:
- tenant: published directory data (A5, A6): every member of the tenant;
- town: a whole town's ledger (A1, A3, the quarterly report): tenant-wide roles and that town's office;
- village / household: whoever may see that village or household (helpers see their own households);
- income: whoever may see that household's income statement (its helpers, its town, tenant-wide roles);
- escalation: whoever may see that escalation (the helper, the unit, the town, tenant-wide roles);
- own: lists of what the requester sees; only the requester downloads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from backend.common.errors import Forbidden, NotFound
from backend.directory.models import Village
from backend.households.models import Household
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from workflows.accountability.models import Escalation
from workflows.income.models import IncomeStatement

from .builders import (
    attendance,
    card,
    directory,
    disclosure,
    ledger,
    lists,
    national,
    notice,
    plans,
    quarterly,
)
from .request import Output, Params, Request


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    build: Callable[[Request], Output]
    scope: str
    needs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("pdf", "xlsx")
    personal: bool = True  # prints phones or ID numbers, so a reveal is meaningful


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("A1", "帮扶责任工作台账", ledger.build_a1, "town", ("town",)),
    Kind("A2", "年度收入明细表", plans.build_a2, "income", ("household", "year"), personal=False),
    Kind("A3", "第一帮扶责任人帮扶工作考勤表", attendance.build_a3, "town", ("town", "quarter")),
    Kind("A4", "第一帮扶责任人帮扶责任清单", plans.build_a4, "household", ("household",), personal=False),
    Kind("A5", "部门单位结对帮扶工作镇街联系人名单", directory.build_a5, "tenant", personal=False),
    Kind("A6", "部门单位“第一帮扶责任人”分配明细表", directory.build_a6, "tenant", personal=False),
    Kind("quarterly", "季度报告", quarterly.build_quarterly, "town", ("town", "quarter")),
    Kind("card", "精准帮扶责任卡", card.build_card, "household", ("household",), formats=("pdf",)),
    Kind("disclosure", "村级结对帮扶责任公示", disclosure.build_disclosure, "village", ("village",), personal=False),
    Kind("notice", "通报及约谈通知书", notice.build_notice, "escalation", ("subject",), formats=("pdf",),
         personal=False),
    Kind("national", "全国扶贫开发信息系统帮扶责任人同步表", national.build_national, "town", ("town",),
         formats=("xlsx", "csv")),
    Kind("households", "贫困户名单", lists.build_households, "own", formats=("xlsx",)),
    Kind("pairings", "结对名单", lists.build_pairings, "own", formats=("xlsx",)),
    Kind("misses", "未履职记录", lists.build_misses, "own", formats=("xlsx",), personal=False),
)}

SCOPES = ("tenant", "town", "village", "household", "income", "escalation", "own")


def get(code: str) -> Kind:
    from backend.common.errors import ValidationFailed

    kind = KINDS.get(str(code))
    if kind is None:
        raise ValidationFailed.on("kind", f"不支持的文档类型“{code}”，可选：{'、'.join(KINDS)}。")
    return kind


def authorise(actor: Actor, kind: Kind, params: Params) -> None:
    """Refuse a request for records the actor may not see: 403 for a town that is not theirs, 404 for an
    out-of-scope village or household (they look absent, as everywhere else)."""
    if kind.scope == "town":
        if actor.tenant_wide or (actor.has(Role.TOWN_OFFICE) and actor.organisation == params.town):
            return
        raise Forbidden(f"只有市扶贫办或{params.town.name}扶贫办可以生成{params.town.name}的{kind.title}。")
    if kind.scope == "village" and not Village.objects.visible_to(actor).filter(pk=params.village.pk).exists():
        raise NotFound("未找到该村。")
    if kind.scope == "household" and not Household.objects.visible_to(actor).filter(pk=params.household.pk).exists():
        raise NotFound("未找到该贫困户。")
    if kind.scope == "income" and not IncomeStatement.objects.visible_to(actor).filter(
            household=params.household, year=params.year).exists():
        raise NotFound(f"未找到{params.household.head_name}户{params.year}年的年度收入明细表。")
    if kind.scope == "escalation" and not Escalation.objects.visible_to(actor).filter(pk=params.subject_id).exists():
        raise NotFound("未找到该问责记录。")


def subject_q(actor: Actor) -> Q:
    """Jobs (besides one's own) whose records the actor may see; DocumentJob's listing rule."""
    by_scope = {s: [k.code for k in KINDS.values() if k.scope == s] for s in SCOPES}
    q = Q(kind__in=by_scope["tenant"])
    if actor.tenant_wide:
        return q | Q(kind__in=[k for s in ("town", "village", "household", "income", "escalation") for k in by_scope[s]])
    if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
        q |= Q(kind__in=by_scope["town"], town=actor.organisation)
    if by_scope["village"]:
        q |= Q(kind__in=by_scope["village"], village__in=Village.objects.visible_to(actor).values("pk"))
    if by_scope["household"]:
        q |= Q(kind__in=by_scope["household"], household__in=Household.objects.visible_to(actor).values("pk"))
    if by_scope["income"]:
        q |= Q(kind__in=by_scope["income"],
               household__in=IncomeStatement.objects.visible_to(actor).values("household_id"))
    if by_scope["escalation"]:
        q |= Q(kind__in=by_scope["escalation"], subject_id__in=Escalation.objects.visible_to(actor).values("pk"))
    return q
