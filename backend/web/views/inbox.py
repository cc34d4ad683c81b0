"""The in-app inbox (SPEC §6): the person's notifications, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from notifications.models import Notification

from ..access import page


@page()
def inbox(request):
    rows = Notification.objects.visible_to(request.actor).order_by("-created_at", "-id")
    if request.GET.get("unread"):
        rows = rows.unread()
    listing = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "web/inbox.html", {"page": listing, "unread_only": bool(request.GET.get("unread"))})
