"""The one way to ask for a notification. Idempotent by key; delivery happens in workers after commit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

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


def render(kind: str, context: dict) -> tuple[str, str]:
    """Template `notifications/<kind>.txt`: the first line is the subject, the rest the body."""
    text = render_to_string(f"notifications/{kind}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() or subject.strip()


def notify(*, tenant, recipients: list[Recipient], kind: str, key: str, context: dict, link: str = "",
           obj=None) -> list[Notification]:
    """One row per recipient, keyed `<key>|<recipient.ref>`; a repeat with the same key creates nothing."""
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
