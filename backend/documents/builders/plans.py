"""A4 第一帮扶责任人帮扶责任清单 and A2 年度收入明细表, per household, from the published help plan and the
household's income statement."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.common.errors import Conflict, NotFound
from workflows.income.models import IncomeAmount, IncomeCategory, IncomeLine, IncomeStatement
from workflows.plans.selectors import published_plan

from ..request import Output, Request
from ..tables import Column, Table, cn_date
from .card import pairing_for
from .common import address, office, town_office

A4_COLUMNS = [Column("贫困户姓名", 8), Column("家庭地址\n(镇街、村)", 14), Column("第一帮扶\n责任人姓名", 8),
              Column("工作单位及职务", 16), Column("帮扶计划", 54)]


def _period(m: dict) -> str:
    return f"{m['starts_on']:%Y.%m}—{m['ends_on']:%Y.%m}"


def plan_text(plan: dict) -> str:
    lines = [f"帮扶计划：{plan['headline']}"] if plan["headline"] else []
    if plan["goal"]:
        lines.append(f"帮扶目标：{plan['goal']}")
    for i, m in enumerate(plan["measures"], 1):
        detail = "；".join(x for x in (f"责任：{m['responsible']}" if m["responsible"] else "",
                                       f"预期成效：{m['expected_benefit']}", _period(m)) if x)
        lines.append(f"{i}. {m['measure_label']}：{m['content']}（{detail}）")
    return "\n".join(lines)


def build_a4(req: Request) -> Output:
    pairing = pairing_for(req)
    plan = published_plan(pairing)
    household, helper = pairing.household, pairing.first_helper
    if plan is None:
        raise Conflict(f"{household.head_name}户的帮扶计划尚未公布，公布后才能生成帮扶责任清单。")
    req.progress(1, 1)
    table = Table(title="第一帮扶责任人帮扶责任清单", columns=A4_COLUMNS, sheet="帮扶责任清单",
                  rows=[[household.head_name, address(household), helper.name, helper.unit_position, plan_text(plan)]],
                  meta=[("户编号", household.code), ("公布日期", cn_date(plan["published_on"]) if plan["published_on"] else "")])
    return Output(title=table.title, filename=f"附件4-第一帮扶责任人帮扶责任清单-{household.head_name}-{household.code}",
                  issuer=town_office(household.village.town), issued_on=req.params.on, orientation="landscape",
                  tables=[table], rows=1, context={"attachment": "附件4"})


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def build_a2(req: Request) -> Output:
    household, year = req.params.household, req.params.year
    statement = (IncomeStatement.objects.filter(tenant=req.tenant, household=household, year=year)
                 .select_related("verified_by", "household__village__town").first())
    if statement is None:
        raise NotFound(f"{household.head_name}户{year}年的年度收入明细表尚未编制。")
    lines = list(IncomeLine.objects.filter(tenant=req.tenant, year=year).order_by("order"))
    amounts = dict(IncomeAmount.objects.filter(statement=statement).values_list("line_id", "amount"))
    names = dict(IncomeCategory.choices)
    rows, groups = [], []
    for line in lines:
        first = not groups or groups[-1]["category"] != line.category
        if first:
            groups.append({"category": line.category, "title": f"{line.category}{names[line.category]}", "lines": []})
        groups[-1]["lines"].append((line.label, _money(amounts.get(line.pk))))
        rows.append([groups[-1]["title"] if first else "", line.label, _money(amounts.get(line.pk))])
    totals = [["家庭总收入", "A+B+C+D+E", _money(statement.gross)],
             ["家庭年纯收入", "A+B+C+D+E-F", _money(statement.net)],
             ["家庭年人均纯收入", "(A+B+C+D+E-F)/家庭人口数", _money(statement.per_capita)]]
    rows += totals
    req.progress(len(lines), len(lines))
    notes = []
    if statement.verified_by_id:
        verified = statement.verified_at.astimezone(ZoneInfo(req.tenant.time_zone)).date()
        notes.append(f"第二帮扶责任人核实：{statement.verified_by.name}（{cn_date(verified)}）")
    if statement.distributed_on:
        notes.append(f"发放到户日期：{cn_date(statement.distributed_on)}")
    notes.append("贫困户签字：＿＿＿＿＿＿　　第二帮扶责任人签字：＿＿＿＿＿＿")
    table = Table(title="年度收入明细表", sheet="年度收入明细表", notes=notes, rows=rows,
                  columns=[Column("收入类型", 14), Column("收入来源", 30), Column("收入情况(元/年)", 14, "right")],
                  meta=[("户主", household.head_name), ("家庭地址", address(household)),
                        ("家庭人口数", f"{statement.household_size}人"), ("年度", f"{year}年"),
                        ("状态", statement.get_state_display())])
    return Output(title=table.title, filename=f"附件2-年度收入明细表-{household.head_name}-{year}",
                  issuer=office(req.tenant), issued_on=req.params.on, tables=[table], rows=len(lines),
                  template="documents/a2.html",
                  context={"attachment": "附件2", "statement": statement, "groups": groups, "totals": totals})
