"""Workers' side: claim due deliveries, send them through their transport, log every attempt (SPEC §6).

A claim is a conditional UPDATE (due and unclaimed, or held by a worker whose lease ran out) that stamps a
token, so two workers never take the same row. Each attempt is logged before the send and completed after
it; a worker killed in between leaves an attempt marked `interrupted` by the next claimant, which sends
again with the same request id (the SMS gateway drops the repeat; see docs/notifications.md for SMTP).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min

from backend.common import clock
from backend.tenancy.models import Policy

from . import routing
from .bulk import update_each
from .models import Channel, ChannelSettings, Delivery, DeliveryAttempt, DeliveryState, Outcome
from .services import render_short, report_failures
from .transports import Inbox, Message, TransportError, transport_for

log = logging.getLogger(__name__)

PER_HOUR = dt.timedelta(hours=1)


def claim(*, ids: Iterable[int] | None = None, limit: int | None = None) -> tuple[str, list[Delivery]]:
    """Take up to `limit` due deliveries (of `ids`, if given) for this worker; returns the claim token."""
    now = clock.now()
    token = uuid.uuid4().hex
    due = Delivery.objects.due(now).order_by("due_at", "pk")
    if ids is not None:
        due = due.filter(pk__in=list(ids)).order_by("pk")  # a kick's own rows: found by key, not by scan
    lease = now + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    with transaction.atomic():
        # SKIP LOCKED (PostgreSQL) hands concurrent sweeps disjoint batches; SQLite serialises writers anyway.
        candidates = list(due.select_for_update(skip_locked=True)
                          .values_list("pk", flat=True)[: limit or settings.NOTIFY_BATCH])
        if not candidates:
            return token, []
        # The WHERE repeats the due test: of two workers racing for a row, the second updates nothing.
        Delivery.objects.due(now).filter(pk__in=candidates).update(state=DeliveryState.SENDING, claim=token,
                                                                   lease_until=lease)
    rows = list(Delivery.objects.filter(claim=token).select_related("notification", "tenant").order_by("due_at", "pk"))
    return token, rows


def deliver(*, ids: Iterable[int] | None = None) -> int:
    """Claim one batch and send it; returns how many deliveries were claimed."""
    token, rows = claim(ids=ids)
    if rows:
        Batch(token).run(rows)
    return len(rows)


def sweep() -> int:
    """Beat's catch-all: whatever is due, batch after batch, while well inside one lease."""
    started, total = time.monotonic(), 0
    while time.monotonic() - started < settings.NOTIFY_LEASE_SECONDS / 2:
        n = deliver()
        total += n
        if n < settings.NOTIFY_BATCH:
            break
    return total


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … times the base after each transient failure, capped."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))


class Batch:
    """The deliveries one claim took, sent channel by channel with one transport (one connection) each."""

    def __init__(self, token: str):
        self.token = token
        self.started = time.monotonic()
        self.webhooks: dict[int, str] = {}

    def run(self, rows: list[Delivery]) -> None:
        by_channel: dict[str, list[Delivery]] = defaultdict(list)
        for row in rows:
            by_channel[row.channel].append(row)
        if Channel.WECOM in by_channel:
            tenants = {r.tenant_id for r in by_channel[Channel.WECOM]}
            self.webhooks = {t.tenant_id: t.webhook for t in ChannelSettings.objects.filter(tenant_id__in=tenants)}
        for channel, group in by_channel.items():
            if channel == Channel.SMS:
                group = self.gate_sms(group)
            with transport_for(channel) as transport:
                self.send(transport, group)

    def lease_left(self) -> bool:
        return time.monotonic() - self.started < settings.NOTIFY_LEASE_SECONDS * 0.8

    def send(self, transport, rows: list[Delivery]) -> None:
        step = transport.record_every
        for i in range(0, len(rows), step):
            chunk = rows[i:i + step]
            if not self.lease_left():
                # Give the rest back rather than send on a lease another worker may now hold.
                release(self.token, rows[i:])
                return
            if isinstance(transport, Inbox):
                # Local work: the attempt, the delivery and its outcome commit together.
                with transaction.atomic():
                    attempts = start_attempts(chunk)
                    transport.notify_many(self.message(r) for r in chunk)
                    record(self.token, [(r, "") for r in chunk], attempts)
                continue
            attempts = start_attempts(chunk)
            results: list[tuple[Delivery, str | TransportError]] = []
            for row in chunk:
                if not self.lease_left():  # a slow server: stop before the lease can pass to another worker
                    break
                try:
                    results.append((row, transport.notify(self.message(row))))
                except TransportError as e:
                    results.append((row, e))
            record(self.token, results, attempts)
            if len(results) < len(chunk):
                unsent = chunk[len(results):]
                withdraw_attempts(unsent, attempts)
                release(self.token, unsent + rows[i + step:])
                return

    def message(self, row: Delivery) -> Message:
        n = row.notification
        return Message(
            notification_id=n.pk, request_id=row.request_id, kind=n.kind, recipient_name=n.recipient_name,
            subject=n.subject, body=n.body, short_text=render_short(n.kind, n.params) if row.channel in (
                Channel.SMS, Channel.WECOM) else "",
            params=n.params, email=n.email, mobile=n.mobile, link=n.link,
            webhook_url=self.webhooks.get(row.tenant_id, settings.WECOM_WEBHOOK_URL)
            if row.channel == Channel.WECOM else "",
        )

    def gate_sms(self, rows: list[Delivery]) -> list[Delivery]:
        """Quiet hours and the per-recipient hourly limit, per tenant; deferred rows go back to waiting."""
        ready: list[Delivery] = []
        by_tenant: dict[int, list[Delivery]] = defaultdict(list)
        for row in rows:
            by_tenant[row.tenant_id].append(row)
        for group in by_tenant.values():
            tenant = group[0].tenant
            policy = Policy.current(tenant, on=clock.local_today(tenant.time_zone))
            now = clock.now()
            until = routing.quiet_until(now, tenant.time_zone, policy.sms_quiet_start, policy.sms_quiet_end)
            if until is not None:
                defer(self.token, group, until, f"短信免打扰时段，顺延至{until:%Y-%m-%d %H:%M}")
                continue
            ready += self.within_limit(tenant, group, policy.sms_per_recipient_per_hour, now)
        return ready

    def within_limit(self, tenant, rows: list[Delivery], limit: int, now: dt.datetime) -> list[Delivery]:
        ids = [r.pk for r in rows]
        with transaction.atomic():
            # One tenant's SMS are gated one batch at a time, so two workers cannot both take the last slot.
            ChannelSettings.objects.get_or_create(tenant=tenant)
            ChannelSettings.objects.select_for_update().get(tenant=tenant)
            recent = {
                r["address_index"]: (r["n"], r["first"])
                for r in Delivery.objects.filter(tenant=tenant, channel=Channel.SMS, sent_at__gt=now - PER_HOUR,
                                                 address_index__in={r.address_index for r in rows})
                .exclude(pk__in=ids).values("address_index").annotate(n=Count("pk"), first=Min("sent_at"))
            }
            allowed, held = [], defaultdict(list)
            for row in rows:
                used, first = recent.get(row.address_index, (0, now))
                if used < limit:
                    allowed.append(row)
                    recent[row.address_index] = (used + 1, first)
                else:
                    held[first + PER_HOUR].append(row)
            Delivery.objects.filter(pk__in=[r.pk for r in allowed], claim=self.token).update(sent_at=now)
        zone = ZoneInfo(tenant.time_zone)
        for until, group in held.items():
            defer(self.token, group, until, f"超过每人每小时{limit}条短信上限，顺延至{until.astimezone(zone):%Y-%m-%d %H:%M}")
        return allowed


def release(token: str, rows: list[Delivery]) -> None:
    Delivery.objects.filter(pk__in=[r.pk for r in rows], claim=token).update(
        state=DeliveryState.PENDING, claim="", lease_until=None)


def defer(token: str, rows: list[Delivery], until: dt.datetime, why: str) -> None:
    """Not an attempt: the row waits for a time it may be sent, and is not counted against retries."""
    Delivery.objects.filter(pk__in=[r.pk for r in rows], claim=token).update(
        state=DeliveryState.PENDING, claim="", lease_until=None, due_at=until, detail=why[:500])


def start_attempts(rows: list[Delivery]) -> dict[int, DeliveryAttempt]:
    """Log the attempts before sending (committed), closing any left open by a worker that died."""
    now = clock.now()
    ids = [r.pk for r in rows]
    with transaction.atomic(savepoint=False):
        if any(r.attempts for r in rows):  # only a row tried before can have an attempt left open
            DeliveryAttempt.objects.filter(delivery_id__in=ids, outcome=Outcome.STARTED).update(
                outcome=Outcome.INTERRUPTED, finished_at=now, detail="上次发送未记录结果（进程中断），已重新发送")
        Delivery.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1)
        for row in rows:
            row.attempts += 1
        made = DeliveryAttempt.objects.bulk_create([
            DeliveryAttempt(tenant_id=r.tenant_id, delivery=r, channel=r.channel, number=r.attempts, started_at=now)
            for r in rows
        ])
    return {a.delivery_id: a for a in made}


def withdraw_attempts(rows: list[Delivery], attempts: dict[int, DeliveryAttempt]) -> None:
    """Attempts logged for rows then not sent after all: they never happened."""
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk__in=[attempts[r.pk].pk for r in rows]).delete()
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(attempts=F("attempts") - 1)


def record(token: str, results: list[tuple[Delivery, str | TransportError]],
           attempts: dict[int, DeliveryAttempt]) -> None:
    """Outcomes of one chunk in one transaction; rows whose claim was lost meanwhile are left alone."""
    now = clock.now()
    failed: list[Delivery] = []
    with transaction.atomic(savepoint=False):
        ours = set(Delivery.objects.filter(pk__in=[r.pk for r, _ in results], claim=token).values_list("pk", flat=True))
        rows, logs = [], []
        for row, result in results:
            attempt = attempts[row.pk]
            logs.append(attempt)
            if row.pk not in ours:
                attempt.outcome, attempt.detail = Outcome.INTERRUPTED, "租约已过期，结果未采用"
                continue
            if not isinstance(result, TransportError):
                row.state, row.delivered_at, row.provider_id, row.detail = DeliveryState.DELIVERED, now, result, ""
                attempt.outcome, attempt.provider_id = Outcome.DELIVERED, result
            elif result.permanent or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                row.state, row.detail = DeliveryState.FAILED, result.message[:500]
                attempt.outcome, attempt.detail = Outcome.FAILED, result.message[:500]
                failed.append(row)
            else:
                row.state, row.due_at = DeliveryState.PENDING, now + backoff(row.attempts)
                row.detail = result.message[:500]
                attempt.outcome, attempt.detail = Outcome.RETRY, result.message[:500]
            rows.append(row)
        update_each(Delivery, rows, ["state", "delivered_at", "provider_id", "detail", "due_at"], claim="",
                    lease_until=None)
        update_each(DeliveryAttempt, logs, ["outcome", "provider_id", "detail"], finished_at=now)
        if failed:
            report_failures(failed)
    for row in failed:
        log.warning("notification delivery %s on %s failed for good: %s", row.pk, row.channel, row.detail)

