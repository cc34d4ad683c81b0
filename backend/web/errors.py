"""Domain refusals on pages: field messages next to their fields, the rest at the top of the form or page."""

from __future__ import annotations

from django import forms
from django.shortcuts import render

from backend.common.errors import DomainError


def attach(form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form: each `fields` entry on its field, the message on top otherwise.

    `aliases` maps a service's field name to the form's when they differ (e.g. "met_on" → "date").
    """
    aliases = aliases or {}
    placed = False
    for name, messages in (exc.fields or {}).items():
        field = aliases.get(name, name)
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed or exc.message not in {m for ms in (exc.fields or {}).values() for m in ms}:
        form.add_error(None, exc.message)


def refusal_page(request, exc: DomainError):
    return render(request, "web/error.html", {"status": exc.status, "message": exc.message}, status=exc.status)
