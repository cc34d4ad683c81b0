"""Inspections and phone surveys (督导检查/电话调查, S13, S17): the city office plans a sample — drawn at random
or chosen household by household (指定户, searched with htmx by town, village or head's name, optionally by the
first helper's unit) — records what it found per household, completes the inspection (misses for unconfirmed
visits) and closes it with a summary."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from backend.common.errors import DomainError
from backend.directory.models import Organisation
from backend.fieldwork.models import Satisfaction
from backend.households.models import Household
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.inspections import selectors, services
from workflows.inspections.models import Finding, Inspection, InspectionKind, InspectionState, SampleMethod

from .. import history
from ..access import page
from ..due import today
from ..errors import attach
from ..widgets import DateInput

ROLES = (Role.CITY_OFFICE, Role.OPERATOR)
YES_NO = [("", "—"), ("yes", "是"), ("no", "否")]


class AnyHouseholds(forms.TypedMultipleChoiceField):
    """Household ids typed in by the search: which ones the office may choose is the service's rule."""

    def valid_value(self, value) -> bool:
        return True


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label="方式", choices=InspectionKind.choices)
    title = forms.CharField(label="名称", required=False, max_length=100)
    planned_on = forms.DateField(label="计划日期", widget=DateInput())
    method = forms.ChoiceField(label="抽样方式", choices=SampleMethod.choices, initial=SampleMethod.RANDOM,
                               widget=forms.RadioSelect, required=False)
    sample_size = forms.IntegerField(label="随机抽样户数", min_value=1, required=False)
    towns = forms.MultipleChoiceField(label="范围（镇街，不选则全市）", required=False, widget=forms.CheckboxSelectMultiple)
    unit = forms.TypedChoiceField(label="范围（第一帮扶责任人所在部门单位，不选则不限）", coerce=int, empty_value=None,
                                  required=False)
    households = AnyHouseholds(label="指定检查的贫困户", coerce=int, required=False,
                               error_messages={"invalid_choice": "所选贫困户不存在。"})

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["towns"].choices = [(t.pk, t.name) for t in Organisation.objects.visible_to(actor).towns()
                                        .order_by("code")]
        self.fields["unit"].choices = [("", "不限")] + [
            (u.pk, u.name) for u in Organisation.objects.visible_to(actor).units().order_by("code")]


    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or SampleMethod.RANDOM


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def _chosen_rows(actor: Actor, ids: list[int]) -> list[Household]:
    """The households already chosen, in the order chosen (only those the actor may see), with their pairing."""
    found = {h.pk: h for h in Household.objects.visible_to(actor).filter(pk__in=ids).select_related("village__town")}
    return selectors.with_open_pairings([found[i] for i in dict.fromkeys(ids) if i in found])


def _candidates(actor: Actor, data, on) -> list[Household]:
    """Search results for the chosen-household picker: the form's towns and unit limit them; chosen ones drop."""
    visible = Organisation.objects.visible_to(actor)
    towns = list(visible.towns().filter(pk__in=_ids(data.getlist("towns"))))
    units = list(visible.units().filter(pk__in=_ids([data.get("unit", "")])))
    chosen = set(_ids(data.getlist("households")))
    rows = selectors.candidates(actor, query=data.get("q", "").strip(), on=on, towns=towns, units=units, limit=40)
    return [h for h in rows if h.pk not in chosen][:20]


class FindingForm(forms.Form):
    contacted = forms.ChoiceField(label="联系到贫困户", choices=YES_NO, required=False)
    helper_in_place = forms.ChoiceField(label="帮扶责任人到位", choices=YES_NO, required=False)
    visits_confirmed = forms.ChoiceField(label="确认有走访", choices=YES_NO, required=False)
    knows_helper_name = forms.ChoiceField(label="知道帮扶责任人姓名", choices=YES_NO, required=False)
    satisfaction = forms.ChoiceField(label="满意度", choices=[("", "—"), *Satisfaction.choices], required=False)
    notes = forms.CharField(label="情况记录", required=False, max_length=1000)


class SummaryForm(forms.Form):
    summary = forms.CharField(label="检查结论", required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _bool(value: str):
    return {"yes": True, "no": False}.get(value)


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "")


@page(*ROLES)
def inspections(request):
    actor: Actor = request.actor
    now = today(actor)
    form = PlanForm(request.POST or None, actor=actor,
                    initial={"planned_on": now, "sample_size": 10, "method": SampleMethod.RANDOM})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        method = d["method"]
        try:
            inspection = services.plan(actor=actor, kind=d["kind"], title=d["title"], planned_on=d["planned_on"],
                                       method=method, sample_size=d["sample_size"],
                                       towns=[int(t) for t in d["towns"]], units=[d["unit"]] if d["unit"] else [],
                                       households=d["households"] if method == SampleMethod.CHOSEN else ())
        except DomainError as exc:
            attach(form, exc)
        else:
            if method == SampleMethod.CHOSEN:
                messages.success(request, f"已指定{inspection.sample_size}户贫困户进行检查。")
            else:
                messages.success(request, f"已随机抽取{inspection.sample_size}户（抽样总体{inspection.population}户）。")
            return redirect("web:inspection", pk=inspection.pk)
    chosen = _chosen_rows(actor, _ids(request.POST.getlist("households")))
    # Without scripts the search is a plain GET of this page (?q=…).
    results = _candidates(actor, request.GET, now) if "q" in request.GET else None
    rows = Inspection.objects.visible_to(actor).order_by("-planned_on", "-id")[:50]
    return render(request, "web/inspections/list.html", {
        "form": form, "rows": rows, "chosen": chosen, "results": results, "query": request.GET.get("q", "")},
        status=422 if form.errors else 200)


@page(*ROLES)
def household_search(request):
    """htmx: the households matching the search (town, village or head's name) within the form's towns and unit,
    less those already chosen."""
    actor: Actor = request.actor
    return render(request, "web/inspections/candidates.html",
                  {"results": _candidates(actor, request.GET, today(actor)), "query": request.GET.get("q", "")})


def _detail(request, actor: Actor, inspection: Inspection, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    findings = inspection.findings.select_related("household__village", "helper", "unit", "town").order_by("order")
    rows = [{"f": f, "form": bound.get(f.pk) or FindingForm(prefix=f"f{f.pk}", initial={
        "contacted": _yes_no(f.contacted), "helper_in_place": _yes_no(f.helper_in_place),
        "visits_confirmed": _yes_no(f.visits_confirmed), "knows_helper_name": _yes_no(f.knows_helper_name),
        "satisfaction": f.satisfaction, "notes": f.notes})} for f in findings]
    return render(request, "web/inspections/detail.html", {
        "inspection": inspection, "rows": rows, "planned": inspection.state == InspectionState.PLANNED,
        "summary_form": bound.get("summary") or SummaryForm(), "conduct_errors": bound.get("conduct", []),
        "history": history.rows(inspection)}, status=status)


@page(*ROLES)
def inspection(request, pk: int):
    actor: Actor = request.actor
    inspection = get_visible(Inspection.objects.all(), actor, pk)
    if request.method != "POST":
        return _detail(request, actor, inspection)
    action = request.POST.get("action", "")
    if action == "record":
        finding = get_visible(Finding.objects.filter(inspection=inspection), actor, request.POST.get("finding"))
        form = FindingForm(request.POST, prefix=f"f{finding.pk}")
        form.is_valid()
        d = form.cleaned_data
        try:
            services.record(actor=actor, finding=finding, contacted=_bool(d.get("contacted", "")),
                            helper_in_place=_bool(d.get("helper_in_place", "")),
                            visits_confirmed=_bool(d.get("visits_confirmed", "")),
                            knows_helper_name=_bool(d.get("knows_helper_name", "")),
                            satisfaction=d.get("satisfaction", ""), notes=d.get("notes", ""))
        except DomainError as exc:
            attach(form, exc)
            return _detail(request, actor, inspection, {finding.pk: form}, status=422)
        messages.success(request, f"已记录{finding.household.head_name}户的检查结果。")
    elif action == "conduct":
        try:
            services.conduct(actor=actor, inspection=inspection)
        except DomainError as exc:
            return _detail(request, actor, inspection, {"conduct": [exc.message]}, status=422)
        messages.success(request, "检查已完成：未确认走访的户已记为未履职，不满意的户计入单位问责。")
    elif action == "close":
        form = SummaryForm(request.POST)
        form.is_valid()
        try:
            services.close(actor=actor, inspection=inspection, summary=form.cleaned_data.get("summary", ""))
        except DomainError as exc:
            attach(form, exc)
            return _detail(request, actor, inspection, {"summary": form}, status=422)
        messages.success(request, "检查已结束。")
    return redirect("web:inspection", pk=inspection.pk)
