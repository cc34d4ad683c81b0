"""Quarterly reports (季度报告, S6, S11, S14): the town office compiles from the records, its second helpers
attest, it submits; the city office approves or returns; a returned report is corrected for named villages
and shows what changed since the last submission."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from backend.common.errors import DomainError
from backend.directory.models import Person, Village
from backend.households.models import Household
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.reporting import services
from workflows.reporting.models import QuarterlyReport, ReportLine, ReportState

from .. import history
from ..access import page
from ..due import today
from ..errors import attach

ROLES = (Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.OPERATOR, Role.SECOND_HELPER)
CHANGE_LABELS = {"added": "新增", "removed": "删除", "changed": "修改"}


class OpenForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=[(i, f"第{i}季度") for i in (1, 2, 3, 4)])


class SubmitForm(forms.Form):
    override_reason = forms.CharField(label="未全部确认即报送的理由", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="第二帮扶责任人均已确认的，无需填写")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="审核意见（退回须填写原因）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttestForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=500)


class ReopenForm(forms.Form):
    villages = forms.MultipleChoiceField(label="需要修改的村", widget=forms.CheckboxSelectMultiple)


@page(*ROLES)
def reports(request):
    actor: Actor = request.actor
    now = today(actor)
    rows = QuarterlyReport.objects.visible_to(actor).select_related("town").order_by("-year", "-quarter", "town__code")
    if actor.has(Role.CITY_OFFICE, Role.OPERATOR):
        wanted = request.GET.get("state", ReportState.SUBMITTED)
        rows = rows.filter(state=wanted) if wanted in ReportState.values else rows
    form = None
    if actor.has(Role.TOWN_OFFICE) and not actor.tenant_wide:
        form = OpenForm(request.POST or None, initial={"year": now.year, "quarter": (now.month - 1) // 3 + 1})
        if request.method == "POST" and form.is_valid():
            try:
                report = services.open_report(actor=actor, town=actor.organisation, year=form.cleaned_data["year"],
                                              quarter=form.cleaned_data["quarter"])
            except DomainError as exc:
                attach(form, exc)
            else:
                return redirect("web:report", pk=report.pk)
    return render(request, "web/reports/list.html", {"rows": rows[:100], "form": form,
                                                     "state": request.GET.get("state", "submitted"),
                                                     "states": ReportState.choices},
                  status=422 if form is not None and form.errors else 200)


def _changes(report: QuarterlyReport) -> list[dict]:
    rows = services.changes(report)
    if not rows:
        return []
    labels = {f.name: f.verbose_name for f in ReportLine._meta.fields}
    labels.update({"household": "贫困户", "village": "村", "first_helper": "第一帮扶责任人", "second_helper": "第二帮扶责任人"})
    households = dict(Household.objects.filter(pairings__in=[r["pairing"] for r in rows])
                      .values_list("pairings", "head_name"))
    people = dict(Person.objects.filter(tenant=report.tenant).values_list("pk", "name")) if any(
        "first_helper" in r["fields"] or "second_helper" in r["fields"] for r in rows) else {}
    out = []
    for r in rows:
        fields = []
        for name, change in r["fields"].items():
            before, after = change["before"], change["after"]
            if name in ("first_helper", "second_helper"):
                before, after = people.get(before, before), people.get(after, after)
            before, after = (("、".join(map(str, v)) or "—") if isinstance(v, list) else v for v in (before, after))
            fields.append({"label": labels.get(name, name), "before": before, "after": after})
        out.append({"household": households.get(r["pairing"], f"结对{r['pairing']}"),
                    "change": CHANGE_LABELS.get(r["change"], r["change"]), "fields": fields})
    return out


def _detail(request, actor: Actor, report: QuarterlyReport, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    lines = (ReportLine.objects.visible_to(actor).filter(report=report)
             .select_related("household", "village", "first_helper__organisation", "second_helper")
             .order_by("village__code", "household__code"))
    town_side = actor.has(Role.OPERATOR) or (actor.has(Role.TOWN_OFFICE) and actor.organisation == report.town)
    city_side = actor.has(Role.CITY_OFFICE, Role.OPERATOR)
    mine = actor.person is not None and actor.has(Role.SECOND_HELPER) and lines.filter(
        second_helper=actor.person).exists()
    attested = set(report.attestations.values_list("second_helper_id", flat=True))
    villages = Village.objects.filter(town=report.town).order_by("code")
    return render(request, "web/reports/detail.html", {
        "report": report, "lines": lines, "history": history.rows(report), "changes": _changes(report),
        "missing": services.missing_attestations(report) if report.state == ReportState.COMPILED else [],
        "town_side": town_side, "city_side": city_side,
        "can_attest": mine and report.state == ReportState.COMPILED and actor.person.pk not in attested,
        "submit_form": bound.get("submit") or SubmitForm(),
        "decide_form": bound.get("decide") or ReasonForm(),
        "attest_form": bound.get("attest") or AttestForm(),
        "reopen_form": bound.get("reopen") or _reopen_form(villages),
        "reopened": list(report.reopened_villages.values_list("name", flat=True)),
    }, status=status)


def _reopen_form(villages, data=None) -> ReopenForm:
    form = ReopenForm(data)
    form.fields["villages"].choices = [(v.pk, v.name) for v in villages]
    return form


@page(*ROLES)
def report(request, pk: int):
    actor: Actor = request.actor
    report = get_visible(QuarterlyReport.objects.select_related("town"), actor, pk)
    if request.method != "POST":
        return _detail(request, actor, report)
    action = request.POST.get("action", "")
    forms_ = {"submit": SubmitForm, "decide": ReasonForm, "attest": AttestForm}
    key = {"approve": "decide", "return": "decide"}.get(action, action)
    if key == "reopen":
        form = _reopen_form(Village.objects.filter(town=report.town), request.POST)
    else:
        form = forms_[key](request.POST) if key in forms_ else None
    if form is not None and not form.is_valid():
        return _detail(request, actor, report, {key: form}, status=422)
    data = form.cleaned_data if form is not None else {}
    try:
        done = _run(actor, report, action, data)
    except DomainError as exc:
        if form is None:
            raise
        attach(form, exc, aliases={"attestations": "override_reason"})
        return _detail(request, actor, report, {key: form}, status=422)
    if done:
        messages.success(request, done)
    return redirect("web:report", pk=report.pk)


def _run(actor: Actor, report: QuarterlyReport, action: str, data: dict) -> str:
    if action == "compile":
        services.compile_report(actor=actor, report=report)
        return "已根据走访、电话、未履职和慰问记录汇总本季度情况。"
    if action == "attest":
        services.attest(actor=actor, report=report, note=data.get("note", ""))
        return "已确认本季度考勤。"
    if action == "submit":
        services.submit(actor=actor, report=report, override_reason=data.get("override_reason", ""))
        return "季度报告已报送市扶贫办。"
    if action == "approve":
        services.approve(actor=actor, report=report, reason=data.get("reason", ""))
        return "季度报告已审核通过。"
    if action == "return":
        services.return_to_town(actor=actor, report=report, reason=data.get("reason", ""))
        return "季度报告已退回镇街。"
    if action == "reopen":
        villages = list(Village.objects.filter(tenant=actor.tenant, pk__in=data["villages"]))
        services.reopen(actor=actor, report=report, villages=villages)
        return "已重新汇总所选村的情况，请第二帮扶责任人重新确认后再次报送。"
    return ""
