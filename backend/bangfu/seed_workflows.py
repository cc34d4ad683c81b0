"""Workflow records of the demo tenant: every unit's roster for every town of its A6 quota, submitted on
time and accepted by the town (S10), so the seeded pairings' first helpers all come from accepted rosters.
Bulk inserts with their log rows, so large seeds stay fast."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from backend.directory.models import Person, UnitQuota
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor
from workflows.core.models import TransitionLog
from workflows.rosters.models import Roster, RosterEntry, RosterState

BATCH = 2000


def _at(day: dt.date, hour: int, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(tz))


def rosters(tenant: Tenant, policy: Policy, quota_people: dict[UnitQuota, list[Person]], *, stats) -> None:
    cutoff = policy.roster_cutoff
    submitted, accepted = _at(cutoff - dt.timedelta(days=1), 10, tenant.time_zone), _at(cutoff, 9, tenant.time_zone)
    made = [Roster(tenant=tenant, unit=q.unit, town=q.town, year=cutoff.year, cutoff=cutoff,
                   state=RosterState.ACCEPTED, submitted_at=submitted, decided_at=accepted)
            for q in quota_people]
    Roster.objects.bulk_create(made, batch_size=BATCH)
    entries = [RosterEntry(tenant=tenant, roster=roster, person=p, position=p.position, phone=p.phone)
               for roster, people in zip(made, quota_people.values(), strict=True) for p in people]
    RosterEntry.objects.bulk_create(entries, batch_size=BATCH)
    ct = ContentType.objects.get_for_model(Roster)
    actor = str(Actor.system_for(tenant))
    steps = (("create", "", "draft"), ("submit", "draft", "submitted"), ("accept", "submitted", "accepted"))
    logs = [TransitionLog(tenant=tenant, content_type=ct, object_id=r.pk, transition=name, from_state=a, to_state=b,
                          actor_label=actor, reason="演示数据", policy_version=policy.version)
            for r in made for name, a, b in steps]
    TransitionLog.objects.bulk_create(logs, batch_size=BATCH)
    stats.extra["rosters"] = len(made)
    stats.extra["roster_entries"] = len(entries)
