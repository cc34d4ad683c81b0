"""Replacements (更换备案, S7): the town office files a change of helper with its effective date; the city
office accepts (urgent when the notice is short and the reason is a listed special one) or rejects."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backend.common.errors import DomainError
from backend.directory.models import Person
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.pairings.models import Pairing
from workflows.replacements import services
from workflows.replacements.models import HelperSide, Replacement, ReplacementReason, ReplacementState

from .. import board, history
from ..access import page
from ..due import today
from ..errors import attach
from ..widgets import DateInput

ROLES = (Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.OPERATOR)


class FileForm(forms.Form):
    pairing = forms.TypedChoiceField(label="结对", coerce=int)
    side = forms.ChoiceField(label="更换", choices=HelperSide.choices, widget=forms.RadioSelect)
    new_helper = forms.TypedChoiceField(label="新帮扶责任人", coerce=int)
    reason_code = forms.ChoiceField(label="更换原因", choices=[("", "请选择")] + ReplacementReason.choices)
    effective_on = forms.DateField(label="生效日期", widget=DateInput())
    reason = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, pairings, firsts, seconds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].choices = [("", "请选择")] + [
            (p.pk, f"{p.household.village.name} {p.household.head_name}：{p.first_helper.name}、{p.second_helper.name}")
            for p in pairings]
        self.fields["new_helper"].choices = [("", "请选择"), ("第一帮扶责任人（已接收名单）", [
            (p.pk, f"{p.name}（{p.organisation.short_name or p.organisation.name}）") for p in firsts]),
            ("第二帮扶责任人", [(p.pk, f"{p.name}（可再帮{p.remaining}户）") for p in seconds if p.remaining])]


class DecideForm(forms.Form):
    reason = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _file_form(actor: Actor, data=None) -> FileForm | None:
    if not actor.has(Role.TOWN_OFFICE) or actor.tenant_wide:
        return None
    town, now = actor.organisation, today(actor)
    policy = Policy.current(actor.tenant, now)
    pairings = (Pairing.objects.visible_to(actor).open().filter(household__village__town=town)
                .select_related("household__village", "first_helper", "second_helper").order_by("household__code"))
    return FileForm(data, pairings=pairings, firsts=board.first_helpers(actor, town, policy),
                    seconds=board.second_helpers(actor, town, policy),
                    initial={"side": HelperSide.FIRST,
                             "effective_on": now + dt.timedelta(days=policy.replacement_notice_days)})


def _page(request, actor: Actor, file_form=None, decide_forms: dict | None = None, status: int = 200):
    decide_forms = decide_forms or {}
    rows = (Replacement.objects.visible_to(actor)
            .select_related("pairing__household__village__town", "old_helper", "new_helper")
            .order_by("state", "-filed_on", "-id")[:100])
    can_decide = actor.has(Role.CITY_OFFICE, Role.OPERATOR)
    policy = Policy.current(actor.tenant, today(actor))
    return render(request, "web/replacements.html", {
        "rows": [{"r": r, "form": decide_forms.get(r.pk) or DecideForm(prefix=f"r{r.pk}"),
                  "history": history.rows(r)} for r in rows],
        "file_form": file_form if file_form is not None else _file_form(actor),
        "can_decide": can_decide, "filed": ReplacementState.FILED, "policy": policy}, status=status)


@page(*ROLES)
def replacements(request):
    return _page(request, request.actor)


@page(Role.TOWN_OFFICE)
@require_POST
def file(request):
    actor: Actor = request.actor
    form = _file_form(actor, request.POST)
    if form is None:
        return redirect("web:replacements")
    if form.is_valid():
        d = form.cleaned_data
        try:
            pairing = get_visible(Pairing.objects.select_related("household__village", "first_helper",
                                                                 "second_helper"), actor, d["pairing"])
            new_helper = Person.objects.for_tenant(actor.tenant).select_related("organisation").get(pk=d["new_helper"])
            services.file(actor=actor, pairing=pairing, side=d["side"], new_helper=new_helper,
                          reason_code=d["reason_code"], effective_on=d["effective_on"], reason=d["reason"])
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"已备案更换：{pairing.household.head_name}户，待市扶贫办审核。")
            return redirect("web:replacements")
    return _page(request, actor, file_form=form, status=422)


@page(Role.CITY_OFFICE, Role.OPERATOR)
@require_POST
def decide(request, pk: int):
    actor: Actor = request.actor
    replacement = get_visible(Replacement.objects.select_related("pairing__household", "new_helper"), actor, pk)
    form = DecideForm(request.POST, prefix=f"r{pk}")
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if request.POST.get("action") == "accept":
            services.accept(actor=actor, replacement=replacement, reason=reason)
            done = "已同意更换" + ("（紧急更换）" if replacement.urgent else "") + "。"
        else:
            services.reject(actor=actor, replacement=replacement, reason=reason)
            done = "已不同意该更换。"
    except DomainError as exc:
        attach(form, exc, aliases={"effective_on": "reason"})
        return _page(request, actor, decide_forms={pk: form}, status=422)
    messages.success(request, f"{replacement.pairing.household.head_name}户：{done}")
    return redirect("web:replacements")
