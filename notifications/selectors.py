"""Reads of the notifications area: the inbox, preferences as a person sees them, failures for offices."""

from __future__ import annotations

from django.db.models import Prefetch

from backend.common.errors import Forbidden
from backend.tenancy.roles import Role

from . import routing
from .kinds import KINDS, LABELS
from .models import Channel, Delivery, DeliveryAttempt, Notification, Preference

OFFICES = (Role.CITY_OFFICE, Role.OPERATOR, Role.TOWN_OFFICE)


def inbox(actor, *, unread: bool = False, kind: str = ""):
    qs = Notification.objects.inbox_of(actor)
    if unread:
        qs = qs.unread()
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def unread_count(actor) -> int:
    return Notification.objects.inbox_of(actor).unread().count()


def preferences(actor) -> list[dict]:
    """Every kind with the channel choices that apply to the actor now (their own or the default)."""
    user_id = actor.user.pk
    prefs = {(p.user_id, p.kind, p.channel): p.enabled
             for p in Preference.objects.filter(tenant=actor.tenant, user_id=user_id)}
    return [{"kind": kind, "label": LABELS[kind],
             "channels": {c: routing.wanted(kind, c, user_id, prefs) for c in Channel.values}}
            for kind in KINDS]


def failures(actor):
    """Deliveries given up on: the whole tenant for the city office, its own town's for a town office."""
    if not actor.has(*OFFICES):
        raise Forbidden("只有市扶贫办和镇街扶贫办可以查看发送失败的消息。")
    qs = Delivery.objects.failed().filter(tenant=actor.tenant)
    if not actor.has(Role.CITY_OFFICE, Role.OPERATOR):
        qs = qs.filter(Delivery.objects.scope_q(actor))
    return (qs.select_related("notification")
            .prefetch_related(Prefetch("log", queryset=DeliveryAttempt.objects.order_by("number")))
            .order_by("-created_at", "-id"))
