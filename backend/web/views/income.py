"""Annual income statements (年度收入明细表, 附件2, S16/A2) on the pages.

Helpers (phone first): the first helper opens the household's statement for a year, fills the year's line
items (the lines are the tenant's per-year data, `workflows.income.lines`), sees the totals and the flags the
service computes, and submits it for verification; the second helper verifies it or returns it with a reason.
The town office lists its town's statements and hands verified ones to the household (发放到户).
Every rule is the service's (`workflows.income.services`); these views parse the form and show its answers.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from backend.common.errors import DomainError, NotFound, ValidationFailed
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.income import lines as year_lines
from workflows.income import services as income
from workflows.income.models import EDITABLE_STATES, IncomeCategory, IncomeStatement, StatementState

from .. import history
from ..access import page
from ..due import today
from ..errors import attach
from ..templatetags.web import cn_date
from ..widgets import DateInput
from .helper import HELPERS, _own_pairing

OFFICES = (Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.OPERATOR)
AMOUNT_ERROR = re.compile(r"^amounts\.(.+)$")
FLAG_STATES = (StatementState.DRAFT, StatementState.RETURNED, StatementState.VERIFIED, StatementState.DISTRIBUTED)


class OpenForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"invalid": "请填写年度，如2018。"})


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DistributeForm(forms.Form):
    on = forms.DateField(label="发放日期", widget=DateInput(), error_messages={"invalid": "请填写有效的日期。"})


def _statement_rows(statement: IncomeStatement, posted: dict[str, str] | None = None,
                    errors: dict[str, list[str]] | None = None) -> list[dict]:
    """The year's lines grouped by category (A … F), each with its amount (or what was typed) and errors."""
    errors = errors or {}
    amounts = {a.line_id: a.amount for a in statement.amounts.all()}
    groups: dict[str, dict] = {}
    for line in year_lines.for_year(statement.tenant, statement.year):
        group = groups.setdefault(line.category, {"category": line.category,
                                                  "label": IncomeCategory(line.category).label,
                                                  "total": Decimal("0"), "lines": []})
        amount = amounts.get(line.pk)
        group["total"] += amount or 0
        value = posted[line.code] if posted is not None and line.code in posted else (
            "" if amount is None else f"{amount:.2f}")
        group["lines"].append({"line": line, "value": value, "amount": amount,
                               "errors": errors.get(line.code, [])})
    return list(groups.values())


def _flags(statement: IncomeStatement) -> list[dict]:
    out = []
    if statement.below_line is None:
        out.append({"kind": "no-line", "bad": False,
                    "text": f"尚无{statement.year}年适用的扶贫标准，无法判断是否低于标准线。"})
    elif statement.below_line:
        out.append({"kind": "below-line", "bad": True,
                    "text": f"人均纯收入{statement.per_capita}元，低于{statement.year}年扶贫标准"
                            f"{statement.poverty_line.amount}元。"})
    else:
        out.append({"kind": "above-line", "bad": False,
                    "text": f"人均纯收入达到{statement.year}年扶贫标准{statement.poverty_line.amount}元。"})
    if statement.big_change:
        ratio = "" if statement.change_ratio is None else f"（{statement.change_ratio * 100:+.1f}%）"
        out.append({"kind": "big-change", "bad": True,
                    "text": f"与上年人均纯收入{statement.last_per_capita}元相比变化超过50%{ratio}，请核实。"})
    for row in statement.missing_lines:
        out.append({"kind": "missing-line", "bad": True,
                    "text": f"上年有“{row['label']}”{row['last_amount']}元，本年未填写，请核实。"})
    return out


def _context(actor: Actor, statement: IncomeStatement, **extra) -> dict:
    return {"statement": statement, "groups": _statement_rows(statement), "flags": _flags(statement),
            "history": history.rows(statement), **extra}


def _household_statement(actor: Actor, pairing, year: int) -> IncomeStatement:
    statement = (IncomeStatement.objects.visible_to(actor).filter(household=pairing.household, year=year)
                 .select_related("household__village", "poverty_line", "verified_by").first())
    if statement is None:
        raise NotFound()
    return statement


# --- helpers ----------------------------------------------------------------------------------------------

@page(*HELPERS)
def household_statements(request, pk: int):
    actor: Actor = request.actor
    pairing, role = _own_pairing(actor, pk)
    preparer = role == "first"
    form = OpenForm(request.POST or None, initial={"year": today(actor).year})
    if request.method == "POST":
        if not preparer:
            raise PermissionDenied("年度收入明细表由第一帮扶责任人填报。")
        if form.is_valid():
            year = form.cleaned_data["year"]
            exists = IncomeStatement.objects.visible_to(actor).filter(household=pairing.household, year=year).exists()
            try:
                if not exists:
                    income.prepare(actor=actor, household=pairing.household, year=year, amounts={})
            except DomainError as exc:
                attach(form, exc)
            else:
                return redirect("web:income-statement", pk=pairing.pk, year=year)
    rows = (IncomeStatement.objects.visible_to(actor).filter(household=pairing.household)
            .select_related("poverty_line").order_by("-year"))
    return render(request, "web/helper/income_list.html", {
        "pairing": pairing, "rows": rows, "form": form if preparer else None},
        status=422 if form.errors else 200)


def _amounts_from_post(post, statement: IncomeStatement) -> dict[str, str]:
    return {line.code: (post.get(f"amount-{line.code}") or "").strip()
            for line in year_lines.for_year(statement.tenant, statement.year)}


@page(*HELPERS)
def household_statement(request, pk: int, year: int):
    actor: Actor = request.actor
    pairing, role = _own_pairing(actor, pk)
    statement = _household_statement(actor, pairing, year)
    editable = statement.state in EDITABLE_STATES
    preparer = role == "first" and editable
    verifier = role == "second"
    return_form = ReturnForm(prefix="return")
    top: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "submit":
            if role != "first":
                raise PermissionDenied("年度收入明细表由该户的第一帮扶责任人填报。")
            return _submit(request, actor, pairing, statement)
        if action in ("verify", "return"):
            if not verifier:
                raise PermissionDenied("年度收入明细表由该户的第二帮扶责任人核实或退回。")
            return_form = ReturnForm(request.POST, prefix="return")
            return_form.is_valid()
            try:
                if action == "verify":
                    income.verify(actor=actor, statement=statement)
                    done = f"已核实{statement}，镇街扶贫办将发放到户。"
                else:
                    income.return_for_correction(actor=actor, statement=statement,
                                                 reason=return_form.cleaned_data.get("reason", ""))
                    done = f"已退回{statement}，第一帮扶责任人修改后重新提交。"
            except DomainError as exc:
                if exc.status == 403:
                    raise
                if action == "return":
                    attach(return_form, exc)
                else:
                    top.append(exc.message)
                statement = _household_statement(actor, pairing, year)
                return _render_helper(request, pairing, statement, preparer, verifier, return_form, top, status=422)
            messages.success(request, done)
            return redirect("web:income-statement", pk=pairing.pk, year=year)
    return _render_helper(request, pairing, statement, preparer, verifier, return_form, top)


def _render_helper(request, pairing, statement, preparer, verifier, return_form, top, *, groups=None,
                   size_errors=(), household_size=None, note=None, status=200):
    context = _context(request.actor, statement, pairing=pairing, preparer=preparer,
                       verifier=verifier and statement.state in (StatementState.DRAFT, StatementState.VERIFIED),
                       can_verify=verifier and statement.state == StatementState.DRAFT,
                       return_form=return_form, top_errors=top, size_errors=list(size_errors),
                       household_size=statement.household_size if household_size is None else household_size,
                       note=statement.note if note is None else note)
    if groups is not None:
        context["groups"] = groups
    return render(request, "web/helper/income_statement.html", context, status=status)


def _submit(request, actor: Actor, pairing, statement: IncomeStatement):
    posted = _amounts_from_post(request.POST, statement)
    raw_size = (request.POST.get("household_size") or "").strip()
    note = request.POST.get("note", "")
    size_errors: list[str] = []
    size = None
    if raw_size:
        try:
            size = int(raw_size)
        except ValueError:
            size_errors.append("家庭人口数须为整数。")
    try:
        if size_errors:
            raise ValidationFailed(size_errors[0], fields={"household_size": size_errors})
        income.submit(actor=actor, statement=statement, amounts=posted, household_size=size, note=note)
    except DomainError as exc:
        if exc.status == 403:
            raise
        line_errors: dict[str, list[str]] = {}
        top: list[str] = []
        for name, msgs in (exc.fields or {}).items():
            match = AMOUNT_ERROR.match(name)
            if match:
                line_errors.setdefault(match[1], []).extend(msgs)
            elif name == "household_size":
                size_errors = list(msgs)
            else:
                top.extend(msgs)
        if not exc.fields:
            top.append(exc.message)
        statement = _household_statement(actor, pairing, statement.year)
        return _render_helper(request, pairing, statement, True, False, ReturnForm(prefix="return"), top,
                              groups=_statement_rows(statement, posted, line_errors), size_errors=size_errors,
                              household_size=raw_size, note=note, status=422)
    messages.success(request, f"已提交{statement}，等待第二帮扶责任人核实。")
    return redirect("web:income-statement", pk=pairing.pk, year=statement.year)


# --- town office ------------------------------------------------------------------------------------------

@page(*OFFICES)
def office_statements(request):
    actor: Actor = request.actor
    state = request.GET.get("state", StatementState.VERIFIED)
    rows = (IncomeStatement.objects.visible_to(actor)
            .select_related("household__village__town", "poverty_line").order_by("-year", "household__village__code",
                                                                                  "household__code"))
    if state in StatementState.values:
        rows = rows.filter(state=state)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is not None:
        rows = rows.filter(year=year)
    return render(request, "web/income/list.html", {
        "rows": rows[:200], "state": state, "states": StatementState.choices, "year": year})


@page(*OFFICES)
def office_statement(request, pk: int):
    actor: Actor = request.actor
    statement = get_visible(IncomeStatement.objects.select_related("household__village__town", "poverty_line",
                                                                   "verified_by"), actor, pk)
    distribute_form = DistributeForm(prefix="distribute", initial={"on": today(actor)})
    return_form = ReturnForm(prefix="return")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = None
        try:
            if action == "distribute":
                form = distribute_form = DistributeForm(request.POST, prefix="distribute")
                if form.is_valid():
                    income.distribute(actor=actor, statement=statement, on=form.cleaned_data["on"])
                    messages.success(request, f"已登记{statement}于{cn_date(form.cleaned_data['on'])}发放到户。")
                    return redirect("web:income-office", pk=statement.pk)
                status = 422
            elif action == "return":
                form = return_form = ReturnForm(request.POST, prefix="return")
                form.is_valid()
                income.return_for_correction(actor=actor, statement=statement,
                                             reason=form.cleaned_data.get("reason", ""))
                messages.success(request, f"已退回{statement}。")
                return redirect("web:income-office", pk=statement.pk)
        except DomainError as exc:
            if exc.status == 403 or form is None:
                raise
            attach(form, exc)
            statement = get_visible(IncomeStatement.objects.all(), actor, pk)
            status = 422
    return render(request, "web/income/detail.html", _context(
        actor, statement, distribute_form=distribute_form, return_form=return_form,
        can_distribute=statement.state == StatementState.VERIFIED,
        can_return=statement.state in (StatementState.DRAFT, StatementState.VERIFIED)), status=status)
