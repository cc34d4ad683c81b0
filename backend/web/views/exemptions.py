"""Exemptions (免于考核, SPEC §5): the town office records or decides requests for a helper on leave or in
hospital, or a household away; windows wholly inside an approved one are not judged."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render

from backend.common.errors import DomainError
from backend.directory.models import Person
from backend.households.models import Household
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.engine import exemptions as services
from workflows.engine.models import Exemption, ExemptionReason, ExemptionState
from workflows.pairings.models import Pairing

from .. import history
from ..access import page
from ..due import today
from ..errors import attach
from ..widgets import DateInput

ROLES = (Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.OPERATOR)


class RequestForm(forms.Form):
    person = forms.TypedChoiceField(label="帮扶责任人", coerce=int, required=False, empty_value=None)
    household = forms.TypedChoiceField(label="或贫困户（外出）", coerce=int, required=False, empty_value=None)
    start_on = forms.DateField(label="起始日期", widget=DateInput())
    end_on = forms.DateField(label="截止日期", widget=DateInput())
    reason_code = forms.ChoiceField(label="事由", choices=[("", "请选择"), *ExemptionReason.choices])
    reason = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        people = {}
        for p in pairings:
            people.setdefault(p.first_helper.pk, f"{p.first_helper.name}（第一帮扶责任人，{p.household.head_name}户）")
            people.setdefault(p.second_helper.pk, f"{p.second_helper.name}（第二帮扶责任人）")
        self.fields["person"].choices = [("", "—"), *sorted(people.items(), key=lambda kv: kv[1])]
        self.fields["household"].choices = [("", "—"), *[(p.household.pk, f"{p.household.village.name} "
                                                                          f"{p.household.head_name}") for p in pairings]]


class DecideForm(forms.Form):
    reason = forms.CharField(label="审批意见（不予批准或撤销须填写）", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


def _pairings(actor: Actor):
    qs = Pairing.objects.visible_to(actor).open().select_related("household__village", "first_helper", "second_helper")
    if actor.has(Role.TOWN_OFFICE) and not actor.tenant_wide:
        qs = qs.filter(household__village__town=actor.organisation)
    return list(qs.order_by("household__village__code", "household__code")[:500])


def _page(request, actor: Actor, request_form=None, decide_forms: dict | None = None, status: int = 200):
    decide_forms = decide_forms or {}
    rows = (Exemption.objects.visible_to(actor).select_related("person", "household__village", "town")
            .order_by("state", "-requested_at")[:100])
    form = request_form or RequestForm(pairings=_pairings(actor), initial={"start_on": today(actor)})
    return render(request, "web/exemptions.html", {
        "form": form, "requested": ExemptionState.REQUESTED, "approved": ExemptionState.APPROVED,
        "rows": [{"x": x, "form": decide_forms.get(x.pk) or DecideForm(prefix=f"x{x.pk}"),
                  "history": history.rows(x)} for x in rows]}, status=status)


@page(*ROLES)
def exemptions(request):
    actor: Actor = request.actor
    if request.method != "POST":
        return _page(request, actor)
    form = RequestForm(request.POST, pairings=_pairings(actor))
    if form.is_valid():
        d = form.cleaned_data
        try:
            person = get_visible(Person.objects.all(), actor, d["person"]) if d["person"] else None
            household = get_visible(Household.objects.select_related("village__town"), actor,
                                    d["household"]) if d["household"] else None
            services.request(actor=actor, start_on=d["start_on"], end_on=d["end_on"], reason_code=d["reason_code"],
                             reason=d["reason"], person=person, household=household)
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, "已登记免于考核申请，待审批。")
            return redirect("web:exemptions")
    return _page(request, actor, request_form=form, status=422)


@page(*ROLES)
def decide(request, pk: int):
    actor: Actor = request.actor
    exemption = get_visible(Exemption.objects.all(), actor, pk)
    if request.method != "POST":
        return redirect("web:exemptions")
    form = DecideForm(request.POST, prefix=f"x{pk}")
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    action = request.POST.get("action")
    try:
        if action == "approve":
            services.approve(actor=actor, exemption=exemption, reason=reason)
        elif action == "reject":
            services.reject(actor=actor, exemption=exemption, reason=reason)
        elif action == "revoke":
            services.revoke(actor=actor, exemption=exemption, reason=reason)
    except DomainError as exc:
        attach(form, exc)
        return _page(request, actor, decide_forms={pk: form}, status=422)
    messages.success(request, {"approve": "已批准：期间的考核期不再判定。", "reject": "已不予批准。",
                               "revoke": "已撤销该免于考核。"}.get(action, ""))
    return redirect("web:exemptions")
