"""Shared set-up of the web tests: a policy whose dates sit around the real today (the browser keeps real time,
so cookies and the pages' "today" agree), and signed-in test clients."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from backend.common import clock
from backend.tenancy.models import Policy
from workflows.pairings import services as pairings

PASSWORD = "secret-pass-123"


def today(tenant) -> dt.date:
    return clock.local_today(tenant.time_zone)


def current_policy(cast, **overrides) -> Policy:
    """A new policy version effective from a month ago, with the campaign's cutoffs a few days ahead."""
    now = today(cast.tenant)
    values = {"effective_from": now - dt.timedelta(days=30), "programme_end": now + dt.timedelta(days=3 * 366),
              "roster_cutoff": now + dt.timedelta(days=5), "in_place_cutoff": now + dt.timedelta(days=9),
              "note": "测试：以今天为准的设置"}
    values.update(overrides)
    return Policy.objects.create(tenant=cast.tenant, **values)


def signed_in(cast, role: str) -> Client:
    client = Client()
    client.force_login(cast.users[role])
    return client


def text(response) -> str:
    """The page with its whitespace runs collapsed, for assertions on visible text."""
    return re.sub(r"\s+", " ", response.content.decode())


def proposed_pairing(cast):
    """The cast's household paired by its town office today under a current policy (not yet met)."""
    current_policy(cast)
    return pairings.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                           second_helper=cast.second_helper, on=today(cast.tenant))


def active_pairing(cast):
    """The same pairing, met in person today."""
    pairing = proposed_pairing(cast)
    return pairings.activate(actor=cast.actor("town_office"), pairing=pairing, met_on=today(cast.tenant))
