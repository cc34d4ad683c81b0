"""Keeping ContactMonth exact (§5): the deadline engine reads it instead of scanning visits.

Every change of a visit's counted facts (created, voided, re-dated) refreshes the affected months inside
the same transaction: lock the month's row (or create it), then recount that one month from the visits.
Recounting under the row lock is exact under concurrency: a writer that changed the same month waits for
the lock and then recounts with our committed rows included; two first writers of a new month collide on the
unique key and the loser recounts under the winner's row.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.db.models.functions import ExtractMonth, ExtractYear

from .models import ContactMonth, Visit

MonthKey = tuple[int, str, str, int, int]  # pairing_id, role, channel, year, month


def key_of(visit: Visit, on: dt.date | None = None) -> MonthKey:
    on = on or visit.occurred_on
    return (visit.pairing_id, visit.role, visit.channel, on.year, on.month)


def refresh(tenant_id: int, keys: Iterable[MonthKey]) -> None:
    """Recount each month; in sorted order so two writers never lock the same rows in opposite orders."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("contact months are refreshed inside the visit's transaction")
    for key in sorted(set(keys)):
        _refresh_one(tenant_id, key)


def _refresh_one(tenant_id: int, key: MonthKey) -> None:
    pairing_id, role, channel, year, month = key
    where = {"pairing_id": pairing_id, "role": role, "channel": channel, "year": year, "month": month}
    for _attempt in range(3):
        row = ContactMonth.objects.select_for_update().filter(**where).first()
        count, last_on = _recount(key)
        if row is not None:
            if count:
                ContactMonth.objects.filter(pk=row.pk).update(count=count, last_on=last_on)
            else:
                row.delete()  # no row means no record: the engine's anti-join needs no count test
            return
        if not count:
            return
        try:
            with transaction.atomic():
                ContactMonth.objects.create(tenant_id=tenant_id, count=count, last_on=last_on, **where)
            return
        except IntegrityError:
            continue  # another transaction created the row first; lock it and recount
    raise RuntimeError(f"could not refresh contact month {key}")


def _recount(key: MonthKey) -> tuple[int, dt.date | None]:
    pairing_id, role, channel, year, month = key
    first, last = dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    agg = Visit.objects.filter(pairing_id=pairing_id, role=role, channel=channel, voided=False,
                               occurred_on__range=(first, last)).aggregate(n=Count("id"), last=Max("occurred_on"))
    return agg["n"], agg["last"]


def expected(visits) -> dict[MonthKey, tuple[int, dt.date]]:
    """What ContactMonth should hold for these visits, aggregated from scratch (checks and rebuilds)."""
    rows = (visits.filter(voided=False)
            .annotate(y=ExtractYear("occurred_on"), m=ExtractMonth("occurred_on"))
            .values("pairing_id", "role", "channel", "y", "m")
            .annotate(n=Count("id"), last=Max("occurred_on")).order_by())
    return {(r["pairing_id"], r["role"], r["channel"], r["y"], r["m"]): (r["n"], r["last"]) for r in rows}


def actual(rows) -> dict[MonthKey, tuple[int, dt.date]]:
    return {(r.pairing_id, r.role, r.channel, r.year, r.month): (r.count, r.last_on) for r in rows}


@transaction.atomic
def rebuild(tenant) -> int:
    """Recompute a tenant's months from its visits (after a bulk import); returns the number of rows."""
    ContactMonth.objects.filter(tenant=tenant).delete()
    wanted = expected(Visit.objects.filter(tenant=tenant))
    ContactMonth.objects.bulk_create(
        ContactMonth(tenant=tenant, pairing_id=k[0], role=k[1], channel=k[2], year=k[3], month=k[4],
                     count=n, last_on=last) for k, (n, last) in wanted.items())
    return len(wanted)
