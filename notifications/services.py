"""The one way to ask for a notification. Idempotent by key; delivery happens in workers after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe

from .kinds import missing_variables
from .models import Notification


@dataclass(frozen=True)
class Recipient:
    """Who receives it. `ref` identifies the recipient inside the de-duplication key (e.g. "user:5")."""

    ref: str
    name: str
    user_id: int | None = None
    person_id: int | None = None
    email: str = ""
    mobile: str = ""


def display(value) -> str:
    """A context value as the text a reader sees: dates in Chinese form, times in the local zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return "" if value is None else str(value)


def params_of(context: dict) -> dict[str, str]:
    return {name: display(value) for name, value in context.items()}


def _render(template: str, params: dict[str, str]) -> str:
    # Plain text for SMS, mail and the inbox: no HTML escaping here; HTML pages escape when they show it.
    return render_to_string(template, {k: mark_safe(v) for k, v in params.items()}).strip()


def render(kind: str, context: dict) -> tuple[str, str]:
    """Template `notifications/<kind>.txt`: the first line is the subject, the rest the body."""
    text = _render(f"notifications/{kind}.txt", params_of(context))
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() or subject.strip()


def render_short(kind: str, params: dict[str, str]) -> str:
    """The one-line variant for SMS and the WeCom robot (`notifications/sms/<kind>.txt`)."""
    return " ".join(_render(f"notifications/sms/{kind}.txt", params).split())


def notify(*, tenant, recipients: list[Recipient], kind: str, key: str, context: dict, link: str = "",
           obj=None) -> list[Notification]:
    """One row per recipient, keyed `<key>|<recipient.ref>`; a repeat with the same key creates nothing."""
    context = {"tenant_name": tenant.name, **context}
    missing = missing_variables(kind, context)
    if missing:
        raise ValueError(f"notification {kind!r} lacks context variables {missing}")
    subject, body = render(kind, context)
    created = []
    for r in recipients:
        row_key = f"{key}|{r.ref}"[:200]
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    tenant=tenant, key=row_key, kind=kind, user_id=r.user_id, person_id_ref=r.person_id,
                    recipient_name=r.name[:60], email=r.email, mobile=r.mobile, subject=subject[:200], body=body,
                    link=link, object_type=obj._meta.label if obj is not None else "",
                    object_id=getattr(obj, "pk", None),
                )
        except IntegrityError:
            continue  # already asked for: de-duplicated by the unique key
        created.append(n)
    return created
