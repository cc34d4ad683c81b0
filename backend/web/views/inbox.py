"""The in-app inbox (SPEC §6): the person's delivered messages, mark read, and how they want to be told."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.models import Channel

from .. import links
from ..access import page
from ..htmx import is_htmx


@page()
def inbox(request):
    unread_only = bool(request.GET.get("unread"))
    rows = selectors.inbox(request.actor, unread=unread_only).order_by("-created_at", "-id")
    listing = Paginator(rows, 30).get_page(request.GET.get("page"))
    listing.object_list = links.attach(request.actor, listing.object_list)
    return render(request, "web/inbox.html", {"page": listing, "unread_only": unread_only,
                                              "unread": selectors.unread_count(request.actor)})


@page()
@require_POST
def read(request, pk: int):
    n = services.read(actor=request.actor, pk=pk)
    if is_htmx(request):
        links.attach(request.actor, [n])
        return render(request, "web/partials/message.html", {"n": n})
    return redirect("web:inbox")


@page()
@require_POST
def read_all(request):
    count = services.read_all(actor=request.actor)
    messages.success(request, f"已将{count}条消息标记为已读。")
    return redirect("web:inbox")


# Personal channels; the WeCom robot posts to a group, so it is not a person's choice.
PERSONAL = (Channel.INBOX, Channel.EMAIL, Channel.SMS)


@page()
def preferences(request):
    actor = request.actor
    rows = selectors.preferences(actor)
    channels = list(PERSONAL)
    if request.method == "POST":
        choices = [{"kind": row["kind"], "channel": c, "enabled": c == Channel.INBOX
                    or request.POST.get(f"{row['kind']}:{c}") == "on"} for row in rows for c in channels]
        services.set_preferences(actor=actor, choices=choices)
        messages.success(request, "消息接收方式已保存。")
        return redirect("web:preferences")
    return render(request, "web/preferences.html", {
        "rows": rows, "channels": [(c, Channel(c).label) for c in channels]})
