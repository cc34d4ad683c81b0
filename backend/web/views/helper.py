"""Helpers' pages, phone first: my households, next visit and call due, the household's page with its visit
log, logging a visit (double signature drawn on the screen, or a witness; optional photos) or a call, and the
second helper's confirmation of a first helper's visit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backend.common.errors import DomainError, NotFound
from backend.fieldwork import selectors as fieldwork
from backend.fieldwork import services as visits
from backend.fieldwork.images import Upload
from backend.fieldwork.models import Channel, HelperRole, ImageKind, Visit, VisitImage
from backend.households.codes import labels
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.deliveries.models import CampaignState, Delivery
from workflows.income.models import IncomeStatement
from workflows.pairings.models import Pairing
from workflows.plans import selectors as plan_selectors

from .. import contact_due
from ..access import page
from ..due import today
from ..errors import attach
from ..forms.visits import CallForm, VisitForm, data_url_bytes

HELPERS = (Role.FIRST_HELPER, Role.SECOND_HELPER)


def _mine(actor: Actor):
    person = actor.person
    if person is None:
        return Pairing.objects.none()
    return (Pairing.objects.visible_to(actor).open().filter(Q(first_helper=person) | Q(second_helper=person))
            .select_related("household__village__town", "first_helper__organisation", "second_helper__organisation"))


def _own_pairing(actor: Actor, pk: int) -> tuple[Pairing, str]:
    pairing = get_visible(_mine(actor), actor, pk)
    role = visits.own_role(actor, pairing)
    if role is None:
        raise NotFound()
    return pairing, role


@page(*HELPERS)
def my_households(request):
    actor = request.actor
    now = today(actor)
    policy = Policy.current(actor.tenant, now)
    rows = []
    for pairing in _mine(actor).order_by("household__village__code", "household__code"):
        role = visits.own_role(actor, pairing)
        rows.append({"pairing": pairing, "role": HelperRole(role).label,
                     "due": contact_due.for_pairing(pairing, role, policy, now)})
    return render(request, "web/helper/households.html", {"rows": rows, "today": now})


@page(*HELPERS)
def household(request, pk: int):
    actor = request.actor
    pairing, role = _own_pairing(actor, pk)
    now = today(actor)
    log = list(fieldwork.visit_log(pairing).order_by("-occurred_on", "-id")[:50])
    signed = list(VisitImage.objects.filter(visit__in=log).exclude(kind=ImageKind.PHOTO)
                  .values_list("visit_id", "kind", "pk"))
    uris = fieldwork.images_as_data_uris(pk for _, _, pk in signed)
    images: dict[int, list[tuple[str, str]]] = {}
    for visit_id, kind, image_pk in signed:
        images.setdefault(visit_id, []).append((ImageKind(kind).label, uris.get(image_pk, "")))
    h = pairing.household
    cause_labels = labels("cause")
    return render(request, "web/helper/household.html", {
        "pairing": pairing, "household": h, "role": role, "role_label": HelperRole(role).label,
        "status": labels("status").get(h.status, h.status), "causes": [cause_labels.get(c, c) for c in h.causes],
        "due": contact_due.for_pairing(pairing, role, Policy.current(actor.tenant, now), now),
        "log": [(v, images.get(v.pk, [])) for v in log], "can_confirm": role == HelperRole.SECOND,
        "plan": plan_selectors.published_plan(pairing),
        "deliveries": Delivery.objects.filter(pairing=pairing).select_related("campaign")
        .order_by("delivered_on", "-campaign__deliver_by"), "delivering": CampaignState.DELIVERING,
        "income": IncomeStatement.objects.visible_to(actor).filter(household=h).order_by("-year").first(),
        "today": now,
    })


def _occurred_at(actor: Actor, on: dt.date, at: dt.time | None) -> dt.datetime | None:
    if at is None:
        return None
    return dt.datetime.combine(on, at, tzinfo=ZoneInfo(actor.tenant.time_zone))


def _record(request, pk: int, channel: str):
    actor = request.actor
    pairing, role = _own_pairing(actor, pk)
    form_class = VisitForm if channel == Channel.IN_PERSON else CallForm
    now = today(actor)
    form = form_class(request.POST or None, request.FILES or None, initial={"occurred_on": now})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {}
        if channel == Channel.IN_PERSON:
            household_image = request.FILES.get("household_signature_file")
            household_sig = (household_image.read() if household_image else data_url_bytes(data["household_signature"]))
            helper_sig = data_url_bytes(data["helper_signature"])
            extra = {
                "helper_signature": Upload(helper_sig) if helper_sig else None,
                "household_sign_method": data["household_sign_method"],
                "household_signer_name": data["household_signer_name"],
                "household_signature": Upload(household_sig) if household_sig else None,
                "witness_name": data["witness_name"], "witness_role": data["witness_role"],
                "photos": [Upload(f.read(), keep_location=data["keep_location"])
                           for f in request.FILES.getlist("photos")],
            }
        try:
            visits.record(actor=actor, pairing=pairing, channel=channel, occurred_on=data["occurred_on"],
                          occurred_at=_occurred_at(actor, data["occurred_on"], data.get("occurred_at")),
                          items=data["items"], people_met=data.get("people_met", ""), summary=data["summary"],
                          problems_raised=data.get("problems_raised", ""),
                          problems_solved=data.get("problems_solved", ""), follow_up=data.get("follow_up", ""),
                          **extra)
        except DomainError as exc:
            attach(form, exc)
        else:
            what = "入户走访" if channel == Channel.IN_PERSON else "电话联系"
            messages.success(request, f"已登记{pairing.household.head_name}户{data['occurred_on'].month}月"
                                      f"{data['occurred_on'].day}日的{what}。")
            return redirect("web:my-household", pk=pairing.pk)
    template = "web/helper/visit_form.html" if channel == Channel.IN_PERSON else "web/helper/call_form.html"
    return render(request, template, {"form": form, "pairing": pairing, "role_label": HelperRole(role).label},
                  status=422 if request.method == "POST" else 200)


@page(*HELPERS)
def log_visit(request, pk: int):
    return _record(request, pk, Channel.IN_PERSON)


@page(*HELPERS)
def log_call(request, pk: int):
    return _record(request, pk, Channel.PHONE)


@page(Role.SECOND_HELPER)
@require_POST
def confirm_visit(request, pk: int, visit_pk: int):
    actor = request.actor
    pairing, _role = _own_pairing(actor, pk)
    visit = get_visible(Visit.objects.filter(pairing=pairing), actor, visit_pk)
    visits.confirm(actor=actor, visit=visit)
    messages.success(request, f"已确认{visit.helper.name}{visit.occurred_on.month}月{visit.occurred_on.day}日的记录。")
    return redirect("web:my-household", pk=pairing.pk)
