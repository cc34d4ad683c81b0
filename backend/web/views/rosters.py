"""Rosters (名单报送, S10): the unit liaison fills and submits each town's roster against its A6 quota; the
town office accepts or returns it. Status and history come from the roster and its transition log."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backend.common.errors import DomainError
from backend.common.masking import mask_phone
from backend.directory.models import Organisation, Person, UnitQuota
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.rosters import services
from workflows.rosters.models import Roster, RosterState

from .. import history
from ..access import page
from ..due import today
from ..errors import attach

ENTRY_FIELD = re.compile(r"^entries\[(\d+)\]$")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _campaign_year(actor: Actor) -> int:
    return Policy.current(actor.tenant, today(actor)).roster_cutoff.year


def _history(roster: Roster) -> list[dict]:
    return history.rows(roster)


# --- unit liaison ---------------------------------------------------------------------------------------

@page(Role.UNIT_LIAISON)
def unit_rosters(request):
    actor: Actor = request.actor
    year = _campaign_year(actor)
    quotas = UnitQuota.objects.filter(tenant=actor.tenant, unit=actor.organisation).select_related("town")
    rosters = {r.town_id: r for r in Roster.objects.visible_to(actor).filter(unit=actor.organisation, year=year)
               .prefetch_related("entries")}
    rows = [{"quota": q, "roster": rosters.get(q.town_id)} for q in quotas.order_by("town__code")]
    older = Roster.objects.visible_to(actor).filter(unit=actor.organisation).exclude(year=year).select_related("town")
    policy = Policy.current(actor.tenant, today(actor))
    return render(request, "web/rosters/unit_list.html", {"rows": rows, "year": year, "older": older,
                                                          "cutoff": policy.roster_cutoff,
                                                          "days": (policy.roster_cutoff - today(actor)).days})


@page(Role.UNIT_LIAISON)
@require_POST
def open_roster(request, town_pk: int):
    actor: Actor = request.actor
    town = get_visible(Organisation.objects.towns(), actor, town_pk)
    roster = services.open_roster(actor=actor, unit=actor.organisation, town=town)
    return redirect("web:unit-roster", pk=roster.pk)


def _candidates(actor: Actor, roster: Roster) -> list[Person]:
    chosen = {e.person_id: e for e in roster.entries.all()}
    people = list(Person.objects.for_tenant(actor.tenant).first_helper_candidates()
                  .filter(organisation=roster.unit).order_by("-reserve_cadre", "name", "pk"))
    for p in people:
        entry = chosen.get(p.pk)
        p.chosen = entry is not None
        p.entry_position = entry.position if entry else p.position
        p.entry_phone = mask_phone(entry.phone if entry else p.phone)
        p.errors = []
    return people


def _entries_from_post(request, people: list[Person]) -> list[services.EntryInput]:
    by_pk = {str(p.pk): p for p in people}
    picked = [by_pk[v] for v in request.POST.getlist("person") if v in by_pk]
    return [services.EntryInput(person=p, position=request.POST.get(f"position-{p.pk}", "").strip(),
                                phone=request.POST.get(f"phone-{p.pk}", "").strip()) for p in picked]


DONE = {"save": "已保存名单。", "submit": "名单已报送。", "revise": "名单已退回草稿，可以修改后重新报送。"}


def _act(action: str, actor: Actor, roster: Roster, entries) -> None:
    if action == "save":
        services.set_entries(actor=actor, roster=roster, entries=entries)
    elif action == "submit":  # what is ticked on the page is what gets submitted
        services.set_entries(actor=actor, roster=roster, entries=entries)
        services.submit(actor=actor, roster=roster)
    elif action == "revise":
        services.revise(actor=actor, roster=roster)


@page(Role.UNIT_LIAISON)
def unit_roster(request, pk: int):
    actor: Actor = request.actor
    roster = get_visible(Roster.objects.select_related("town", "unit"), actor, pk)
    people = _candidates(actor, roster)
    top_errors: list[str] = []
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST" and action in DONE:
        entries = _entries_from_post(request, people) if action in ("save", "submit") else []
        try:
            _act(action, actor, roster, entries)
        except DomainError as exc:
            status = 422
            _place_errors(exc, entries, people, top_errors)
            if action in ("save", "submit"):  # keep what was typed
                picked = set(request.POST.getlist("person"))
                for p in people:
                    p.chosen = str(p.pk) in picked
                    p.entry_position = request.POST.get(f"position-{p.pk}", p.entry_position)
        else:
            messages.success(request, DONE[action])
            return redirect("web:unit-roster", pk=roster.pk)
    roster.refresh_from_db()
    return render(request, "web/rosters/unit_detail.html", {
        "roster": roster, "people": people, "quota": services.quota_of(roster), "top_errors": top_errors,
        "editable": roster.state == RosterState.DRAFT, "history": _history(roster),
        "entries": roster.entries.select_related("person")}, status=status)


def _place_errors(exc: DomainError, entries, people, top_errors: list[str]) -> None:
    """A row's error (entries[i]) goes next to that person; the rest on top of the list."""
    by_pk = {p.pk: p for p in people}
    placed = False
    for name, msgs in (exc.fields or {}).items():
        match = ENTRY_FIELD.match(name)
        if match and int(match[1]) < len(entries):
            by_pk[entries[int(match[1])].person.pk].errors.extend(msgs)
            placed = True
        else:
            top_errors.extend(m for m in msgs if m not in top_errors)
    if not placed and exc.message not in top_errors:
        top_errors.append(exc.message)


# --- town office ----------------------------------------------------------------------------------------

@page(Role.TOWN_OFFICE)
def town_rosters(request):
    actor: Actor = request.actor
    return _town_page(request, actor)


def _town_page(request, actor: Actor, forms_by_pk: dict | None = None, status: int = 200):
    forms_by_pk = forms_by_pk or {}
    rosters = (Roster.objects.visible_to(actor).filter(town=actor.organisation).select_related("unit")
               .prefetch_related("entries__person").order_by("-year", "state", "unit__code"))
    quotas = dict(UnitQuota.objects.filter(tenant=actor.tenant, town=actor.organisation).values_list("unit", "count"))
    rows = [{"roster": r, "quota": quotas.get(r.unit_id, 0), "form": forms_by_pk.get(r.pk) or ReasonForm(),
             "entries": [(e, mask_phone(e.phone)) for e in r.entries.all()]} for r in rosters]
    return render(request, "web/rosters/town_list.html", {"rows": rows}, status=status)


@page(Role.TOWN_OFFICE)
@require_POST
def town_decide(request, pk: int):
    actor: Actor = request.actor
    roster = get_visible(Roster.objects.select_related("unit", "town"), actor, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("action") == "accept":
            services.accept(actor=actor, roster=roster)
            messages.success(request, f"已接收{roster.unit.name}的名单，名单人员可安排为第一帮扶责任人。")
        else:
            services.return_to_unit(actor=actor, roster=roster, reason=form.cleaned_data.get("reason", ""))
            messages.success(request, f"已将名单退回{roster.unit.name}。")
    except DomainError as exc:
        attach(form, exc)
        return _town_page(request, actor, {roster.pk: form}, status=422)
    return redirect("web:town-rosters")
