"""Which channels a message takes, and when an SMS may go out (SPEC §6: preferences, quiet hours)."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings

from .kinds import DEFAULT_CHANNELS
from .models import Channel, ChannelSettings, Preference


def request_id(tenant_id: int, key: str, channel: str) -> str:
    """Stable across retries of one delivery: providers use it to drop repeats."""
    return hashlib.sha256(f"{tenant_id}|{key}|{channel}".encode()).hexdigest()[:32]


def webhook_for(tenant) -> str:
    row = ChannelSettings.objects.filter(tenant=tenant).first()
    return row.webhook if row is not None else settings.WECOM_WEBHOOK_URL


def reachable(recipient) -> list[str]:
    """Channels this recipient has an address on, among those configured for the deployment (the group
    robot is checked afterwards, and only when someone wants it: most kinds never go there)."""
    found = []
    if recipient.user_id:
        found.append(Channel.INBOX)
    if recipient.email and settings.NOTIFY_EMAIL_ENABLED:
        found.append(Channel.EMAIL)
    if recipient.mobile and settings.SMS_GATEWAY_URL:
        found.append(Channel.SMS)
    found.append(Channel.WECOM)  # kept only if wanted and the tenant has a robot (Router.channels_for)
    return found


def preferences(tenant, kinds: set[str], user_ids: set[int]) -> dict[tuple[int, str, str], bool]:
    rows = Preference.objects.filter(tenant=tenant, user_id__in=user_ids, kind__in=[*kinds, ""])
    return {(p.user_id, p.kind, p.channel): p.enabled for p in rows}


def wanted(kind: str, channel: str, user_id: int | None, prefs: dict) -> bool:
    """The inbox always keeps a copy; otherwise the person's choice for the kind, then for all kinds, then
    the kind's default."""
    if channel == Channel.INBOX:
        return True
    for key in ((user_id, kind, channel), (user_id, "", channel)):
        if key in prefs:
            return prefs[key]
    return channel in DEFAULT_CHANNELS.get(kind, ())


class Router:
    """Recipient → channels for the messages of one notify call: the people's preferences for every kind read
    in one query, the tenant's group robot looked up once and only if someone wants it."""

    def __init__(self, tenant, wanted_by: dict[str, set[int]]):
        self.tenant = tenant
        users = set().union(*wanted_by.values())
        self.prefs = preferences(tenant, set(wanted_by), users) if users else {}
        self._webhook: str | None = None

    def has_webhook(self) -> bool:
        if self._webhook is None:
            self._webhook = webhook_for(self.tenant)
        return bool(self._webhook)

    def channels_for(self, kind: str, recipients: list) -> dict[str, list[str]]:
        routes = {r.ref: [c for c in reachable(r) if wanted(kind, c, r.user_id, self.prefs)] for r in recipients}
        if any(Channel.WECOM in c for c in routes.values()) and not self.has_webhook():
            routes = {ref: [c for c in chans if c != Channel.WECOM] for ref, chans in routes.items()}
        return routes


def quiet_until(now: dt.datetime, tz_name: str, start: dt.time, end: dt.time) -> dt.datetime | None:
    """If `now` falls in the quiet window [start, end) of the local day, the moment it ends; else None.

    A window whose start is after its end runs over midnight (21:00–08:00); equal ends mean no window.
    """
    if start == end:
        return None
    zone = ZoneInfo(tz_name)
    local = now.astimezone(zone)
    t = local.time()
    if start < end:
        inside, day = start <= t < end, local.date()
    else:
        inside = t >= start or t < end
        day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone) if inside else None
