"""The pairing board (结对安排): households without helpers, first helpers free to take one (reserve
cadres marked), second helpers with remaining capacity; assign and record the first meeting in place."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from backend.common.errors import DomainError, NotFound
from backend.directory.models import Person
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.pairings import services
from workflows.pairings.models import Pairing

from .. import board
from ..access import page
from ..due import today
from ..errors import attach
from ..htmx import is_htmx
from ..widgets import DateInput

ROLES = (Role.TOWN_OFFICE, Role.CITY_OFFICE, Role.OPERATOR)


class AssignForm(forms.Form):
    household = forms.TypedChoiceField(label="贫困户", coerce=int)
    first_helper = forms.TypedChoiceField(label="第一帮扶责任人", coerce=int)
    second_helper = forms.TypedChoiceField(label="第二帮扶责任人", coerce=int)

    def __init__(self, *args, households, firsts, seconds, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "请选择")]
        self.fields["household"].choices = blank + [
            (h.pk, f"{h.village.name} {h.head_name}（{h.size}人）") for h in households]
        self.fields["first_helper"].choices = blank + [
            (p.pk, f"{p.name}（{p.organisation.short_name or p.organisation.name}）{'★后备干部' if p.reserve_cadre else ''}")
            for p in firsts]
        self.fields["second_helper"].choices = blank + [
            (p.pk, f"{p.name}（{p.village.name if p.village else p.organisation.name}）"
                   f"{'已满' if p.remaining == 0 else f'可再帮{p.remaining}户'}") for p in seconds]


class ActivateForm(forms.Form):
    pairing = forms.IntegerField(widget=forms.HiddenInput)
    met_on = forms.DateField(label="首次入户见面日期", widget=DateInput())


def _town(request, actor: Actor):
    if actor.has(Role.TOWN_OFFICE) and not actor.tenant_wide:
        return actor.organisation
    towns = board.towns_for(actor)
    wanted = request.GET.get("town") or request.POST.get("town")
    town = towns.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else None
    return town or towns.first()


def _context(request, actor: Actor, town, activate_forms: dict | None = None) -> dict:
    now = today(actor)
    policy = Policy.current(actor.tenant, now)
    households = list(board.households(actor, town, policy, now))
    firsts = list(board.first_helpers(actor, town, policy))
    seconds = board.second_helpers(actor, town, policy)
    initial = {"household": request.GET.get("household")} if request.GET.get("household") else None
    activate_forms = activate_forms or {}
    return {
        "town": town, "towns": board.towns_for(actor) if actor.tenant_wide else [], "policy": policy, "today": now,
        "households": households, "firsts": firsts, "seconds": seconds,
        "form": AssignForm(initial=initial, households=households, firsts=firsts, seconds=seconds),
        "waiting": [(p, activate_forms.get(p.pk) or ActivateForm(initial={"pairing": p.pk, "met_on": now}))
                    for p in board.awaiting_meeting(actor, town)],
    }


def _render(request, context: dict, status: int = 200):
    template = "web/pairing/board_body.html" if is_htmx(request) else "web/pairing/board.html"
    return render(request, template, context, status=status)


def _invalid(request) -> int:
    # htmx swaps only 2xx answers by default; a plain form post says plainly that it was refused.
    return 200 if is_htmx(request) else 422


def _done(request, actor: Actor, town):
    if is_htmx(request):
        return _render(request, _context(request, actor, town))
    return redirect(f"{reverse('web:pairing-board')}?town={town.pk}")


@page(*ROLES)
def pairing_board(request):
    actor: Actor = request.actor
    town = _town(request, actor)
    if town is None:
        raise NotFound("没有可以安排结对的镇街。")
    return _render(request, _context(request, actor, town))


@page(*ROLES)
def assign(request):
    actor: Actor = request.actor
    town = _town(request, actor)
    if request.method != "POST" or town is None:
        return redirect("web:pairing-board")
    ctx = _context(request, actor, town)
    form = AssignForm(request.POST, households=ctx["households"], firsts=ctx["firsts"], seconds=ctx["seconds"])
    if form.is_valid():
        people = Person.objects.for_tenant(actor.tenant).select_related("organisation").in_bulk(
            [form.cleaned_data["first_helper"], form.cleaned_data["second_helper"]])
        try:
            household = get_visible(Household.objects.select_related("village"), actor, form.cleaned_data["household"])
            pairing = services.assign(actor=actor, household=household,
                                      first_helper=people[form.cleaned_data["first_helper"]],
                                      second_helper=people[form.cleaned_data["second_helper"]])
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"已为{household.head_name}户安排帮扶责任人：第一帮扶责任人{pairing.first_helper.name}，"
                                      f"第二帮扶责任人{pairing.second_helper.name}。")
            return _done(request, actor, town)
    ctx["form"] = form
    return _render(request, ctx, status=_invalid(request))


@page(*ROLES)
def activate(request):
    actor: Actor = request.actor
    town = _town(request, actor)
    if request.method != "POST" or town is None:
        return redirect("web:pairing-board")
    form = ActivateForm(request.POST)
    pk = request.POST.get("pairing")
    if form.is_valid():
        try:
            pairing = get_visible(Pairing.objects.select_related("household__village"), actor,
                                  form.cleaned_data["pairing"])
            services.activate(actor=actor, pairing=pairing, met_on=form.cleaned_data["met_on"])
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"已确认{pairing.household.head_name}户的帮扶责任人到位。")
            return _done(request, actor, town)
    forms_by_pk = {int(pk): form} if pk and pk.isdigit() else {}
    return _render(request, _context(request, actor, town, activate_forms=forms_by_pk), status=_invalid(request))
