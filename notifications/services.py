"""The one way to ask for a notification. Idempotent by key; delivery happens in workers after commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe

from backend.common import clock
from backend.common.crypto import blind_index
from backend.common.errors import Forbidden, NotFound, ValidationFailed
from backend.common.jobs import enqueue_on_commit, job
from backend.directory.models import OrgKind
from backend.tenancy.models import Membership, Policy
from backend.tenancy.roles import Role

from . import routing
from .kinds import KINDS, missing_variables
from .models import Channel, Delivery, Notification, Preference

# Jobs (backend.common.jobs): a kick for fresh deliveries, and the beat sweep for anything still due.
DELIVER = job("notifications.deliver")
SWEEP = job("notifications.sweep")
FAILURES_LINK = "/api/v1/notifications/failures/"


@dataclass(frozen=True)
class Recipient:
    """Who receives it. `ref` identifies the recipient inside the de-duplication key (e.g. "user:5")."""

    ref: str
    name: str
    user_id: int | None = None
    person_id: int | None = None
    email: str = ""
    mobile: str = ""
    town_id: int | None = None


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


@dataclass(frozen=True)
class Message:
    """One request for a notification: a row per recipient, keyed `<key>|<recipient.ref>`.

    `town` (or `Recipient.town_id`) names the town whose office follows up a failed delivery."""

    recipients: list[Recipient]
    kind: str
    key: str
    context: dict
    link: str = ""
    obj: object = None
    town: object = None


def notify(*, tenant, recipients: list[Recipient], kind: str, key: str, context: dict, link: str = "",
           obj=None, town=None) -> list[Notification]:
    """One row per recipient, keyed `<key>|<recipient.ref>`; a repeat with the same key creates nothing.

    Each row gets a Delivery per channel the recipient takes (routing); workers send them after commit.
    """
    return notify_many(tenant=tenant, messages=[Message(recipients, kind, key, context, link, obj, town)])


def notify_many(*, tenant, messages: list[Message]) -> list[Notification]:
    """`notify` for many messages in a few statements (the engine sends thousands in one run).

    The rows are written with `INSERT … ON CONFLICT DO NOTHING RETURNING`: a key that exists already, from an
    earlier call or a concurrent transaction, is skipped by the database, and only the rows this call created
    get deliveries — exactly once, whoever else asks for the same key at the same time."""
    rows: dict[str, tuple[Notification, list[str]]] = {}
    wanted_by: dict[str, set[int]] = {}
    for m in messages:
        wanted_by.setdefault(m.kind, set()).update(r.user_id for r in m.recipients if r.user_id)
    router = routing.Router(tenant, wanted_by)
    now = clock.now()
    sms_due = None
    for m in messages:
        context = {"tenant_name": tenant.name, **m.context}
        missing = missing_variables(m.kind, context)
        if missing:
            raise ValueError(f"notification {m.kind!r} lacks context variables {missing}")
        params = params_of(context)
        subject, body = render(m.kind, context)
        routes = router.channels_for(m.kind, m.recipients)
        if sms_due is None and any(Channel.SMS in c for c in routes.values()):
            sms_due = sms_due_at(tenant, now)
        for r in m.recipients:
            key = f"{m.key}|{r.ref}"[:200]
            rows.setdefault(key, (Notification(
                tenant=tenant, key=key, kind=m.kind, user_id=r.user_id, person_id_ref=r.person_id,
                town_ref=r.town_id or getattr(m.town, "pk", m.town), recipient_name=r.name[:60], email=r.email,
                mobile=r.mobile, subject=subject[:200], body=body, params=params, link=m.link,
                object_type=m.obj._meta.label if m.obj is not None else "", object_id=getattr(m.obj, "pk", None),
            ), routes[r.ref]))
    # Inside the caller's transaction no savepoint of our own: a failure here fails the caller's work.
    with transaction.atomic(savepoint=False):
        created = _insert_new([n for n, _ in rows.values()])
        deliveries = Delivery.objects.bulk_create([
            Delivery(tenant=tenant, notification=n, channel=channel,
                     due_at=sms_due if channel == Channel.SMS else now,
                     request_id=routing.request_id(tenant.pk, n.key, channel),
                     address_index=blind_index("phone", n.mobile) if channel == Channel.SMS else "")
            for n in created for channel in rows[n.key][1]
        ], batch_size=INSERT_BATCH)
        kick([d.pk for d in deliveries])
    return created


INSERT_BATCH = 500
_INSERTED = [f for f in Notification._meta.concrete_fields if not f.primary_key]


def _insert_new(objs: list[Notification]) -> list[Notification]:
    """The rows the database created, with their ids; rows whose key exists are left out. Django's
    `bulk_create(ignore_conflicts=True)` cannot say which rows those are, so this asks the insert itself to
    return (id, key) of what it wrote."""
    by_key = {n.key: n for n in objs}
    created: list[Notification] = []
    returning = [Notification._meta.pk, Notification._meta.get_field("key")]
    for i in range(0, len(objs), INSERT_BATCH):
        part = objs[i:i + INSERT_BATCH]
        inserted = Notification.objects._insert(part, fields=_INSERTED, returning_fields=returning,
                                                on_conflict=OnConflict.IGNORE)
        for row in inserted:
            if row:  # a single row skipped by the conflict comes back empty
                pk, key = row
                by_key[key].pk = pk
                by_key[key]._state.adding = False
                created.append(by_key[key])
    return created


def sms_due_at(tenant, now):
    """Now, or the end of the tenant's SMS quiet hours when now falls inside them."""
    policy = Policy.current(tenant, on=clock.local_today(tenant.time_zone))
    return routing.quiet_until(now, tenant.time_zone, policy.sms_quiet_start, policy.sms_quiet_end) or now


def kick(delivery_ids: list[int]) -> None:
    """Ask a worker for these deliveries after commit: one job per chunk for the whole transaction.

    The engine may call notify() thousands of times in one transaction; gathering the ids on the
    connection makes that a few jobs, not thousands. A savepoint rolled back with our callback in it
    takes the callback along, and the next call starts afresh.
    """
    if not delivery_ids:
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _send_kicks(delivery_ids)
        return
    kicks = conn.__dict__.get("_notification_kicks")
    if kicks is None or kicks.sent or kicks.flush not in [entry[1] for entry in conn.run_on_commit]:
        kicks = conn._notification_kicks = _Kicks()
        transaction.on_commit(kicks.flush)
    kicks.ids.extend(delivery_ids)


class _Kicks:
    def __init__(self) -> None:
        self.ids: list[int] = []
        self.sent = False

    def flush(self) -> None:
        self.sent = True
        _send_kicks(self.ids)


def _send_kicks(ids: list[int]) -> None:
    size = settings.NOTIFY_BATCH
    for i in range(0, len(ids), size):
        enqueue_on_commit(DELIVER, ids=ids[i:i + size])

def office_recipients(tenant, town_id: int | None) -> list[Recipient]:
    """The city office's logins and, when known, the town office's: who follows up a failed delivery."""
    orgs = Q(organisation__kind=OrgKind.CITY_OFFICE) | Q(organisation_id=town_id or 0, organisation__kind=OrgKind.TOWN)
    members = Membership.objects.filter(orgs, tenant=tenant).select_related("user", "organisation")
    wanted = {OrgKind.CITY_OFFICE: Role.CITY_OFFICE, OrgKind.TOWN: Role.TOWN_OFFICE}
    return [Recipient(ref=f"user:{m.user_id}", name=m.user.get_full_name() or m.user.username, user_id=m.user_id,
                      email=m.user.email or "", town_id=town_id)
            for m in members if wanted[m.organisation.kind] in m.roles and m.user.is_active]


def report_failures(rows: list[Delivery]) -> None:
    """Tell the city and town office of each delivery given up on (not of failure notices themselves)."""
    for row in rows:
        n = row.notification
        if n.kind == "delivery_failed":
            continue
        notify(tenant=row.tenant, recipients=office_recipients(row.tenant, n.town_ref), kind="delivery_failed",
               key=f"delivery_failed:{row.pk}", town=n.town_ref, link=FAILURES_LINK,
               context={"recipient": n.recipient_name, "channel": Channel(row.channel).label, "error": row.detail})


def read(*, actor, pk) -> Notification:
    """Mark one of the actor's own messages read; another person's id answers 404."""
    try:
        n = Notification.objects.inbox_of(actor).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该消息。") from None
    if n.read_at is None:
        n.read_at = clock.now()
        n.save(update_fields=["read_at"])
    return n


def read_all(*, actor) -> int:
    return Notification.objects.inbox_of(actor).unread().update(read_at=clock.now())


def set_preferences(*, actor, choices: list[dict]) -> None:
    """Upsert the actor's own choices, each {kind ("" = every kind), channel, enabled}, in one transaction."""
    if actor.user is None:
        raise Forbidden("只有登录用户可以设置消息接收方式。")
    for i, c in enumerate(choices):
        if c["kind"] and c["kind"] not in KINDS:
            raise ValidationFailed.on(f"choices[{i}].kind", f"第{i + 1}项：未知的消息类型“{c['kind']}”。")
        if c["channel"] not in Channel.values:
            raise ValidationFailed.on(f"choices[{i}].channel", f"第{i + 1}项：未知的渠道“{c['channel']}”。")
        if c["channel"] == Channel.INBOX and not c["enabled"]:
            raise ValidationFailed.on(f"choices[{i}].channel", f"第{i + 1}项：站内消息始终保留，不能关闭。")
    with transaction.atomic():
        for c in choices:
            Preference.objects.update_or_create(tenant=actor.tenant, user=actor.user, kind=c["kind"],
                                                channel=c["channel"], defaults={"enabled": c["enabled"]})
