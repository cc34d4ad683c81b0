"""Gathering a town's quarter from the records (no typing): a constant number of queries per report."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q

from backend.fieldwork.models import Channel, HelperRole, Visit
from workflows.accountability.models import Miss, MissState
from workflows.deliveries.models import Delivery
from workflows.pairings.models import Pairing

from .models import QuarterlyReport, ReportLine


def pairings_of(report: QuarterlyReport, village_ids: list[int] | None = None):
    """Pairings of the town open at some point in the quarter."""
    start, end = report.bounds
    qs = Pairing.objects.filter(tenant_id=report.tenant_id, household__village__town_id=report.town_id,
                                proposed_on__lte=end).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    if village_ids is not None:
        qs = qs.filter(household__village_id__in=village_ids)
    return qs.select_related("household").order_by("household__village__code", "household__code")


def build_lines(report: QuarterlyReport, village_ids: list[int] | None = None) -> list[ReportLine]:
    start, end = report.bounds
    pairings = list(pairings_of(report, village_ids))
    ids = [p.pk for p in pairings]
    counts: dict[tuple[int, str, str], int] = {}
    for row in (Visit.objects.valid().filter(pairing_id__in=ids, occurred_on__range=(start, end))
                .values("pairing_id", "role", "channel").annotate(n=Count("id"))):
        counts[row["pairing_id"], row["role"], row["channel"]] = row["n"]
    dates: dict[int, list[str]] = defaultdict(list)
    for pid, day in (Visit.objects.valid().filter(pairing_id__in=ids, occurred_on__range=(start, end),
                                                  role=HelperRole.FIRST, channel=Channel.IN_PERSON)
                     .order_by("occurred_on").values_list("pairing_id", "occurred_on")):
        dates[pid].append(day.isoformat())
    misses = dict(Miss.objects.filter(pairing_id__in=ids, state=MissState.RECORDED, window_end__range=(start, end))
                  .values("pairing_id").annotate(n=Count("id")).values_list("pairing_id", "n"))
    deliveries = dict(Delivery.objects.filter(pairing_id__in=ids, delivered_on__range=(start, end))
                      .values("pairing_id").annotate(n=Count("id")).values_list("pairing_id", "n"))
    return [
        ReportLine(tenant_id=report.tenant_id, report=report, pairing=p, household_id=p.household_id,
                   village_id=p.household.village_id, first_helper_id=p.first_helper_id,
                   second_helper_id=p.second_helper_id,
                   first_visits=counts.get((p.pk, HelperRole.FIRST, Channel.IN_PERSON), 0),
                   first_visit_dates=dates.get(p.pk, []),
                   first_calls=counts.get((p.pk, HelperRole.FIRST, Channel.PHONE), 0),
                   second_visits=counts.get((p.pk, HelperRole.SECOND, Channel.IN_PERSON), 0),
                   misses=misses.get(p.pk, 0), deliveries=deliveries.get(p.pk, 0))
        for p in pairings
    ]


def diff(before: dict[str, dict], after: dict[str, dict]) -> list[dict]:
    """What changed between two sets of line snapshots keyed by pairing id: added, removed, changed fields."""
    changes = []
    for key in sorted(set(before) | set(after), key=int):
        old, new = before.get(key), after.get(key)
        if old is None:
            changes.append({"pairing": int(key), "change": "added", "fields": {}})
        elif new is None:
            changes.append({"pairing": int(key), "change": "removed", "fields": {}})
        else:
            fields = {name: {"before": old.get(name), "after": value} for name, value in new.items()
                      if old.get(name) != value}
            if fields:
                changes.append({"pairing": int(key), "change": "changed", "fields": fields})
    return changes
