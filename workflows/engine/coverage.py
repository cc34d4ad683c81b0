"""Which pairings approved exemptions keep out of a compliance window. A window is not judged when the
approved ranges of the pairing's helper (of the rule's role) and of its household, taken together, cover it
from its first day to its last: a leave followed at once by a hospital stay covers a window that neither
covers alone, and so does a helper's leave followed by the household's time away — in both cases nobody
could have visited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from workflows.pairings.models import Pairing

from .models import Exemption

Span = tuple[dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


def covers(spans: Iterable[Span], start: dt.date, end: dt.date) -> bool:
    """Whether the union of inclusive date ranges covers every day from `start` to `end`."""
    reach = start - ONE_DAY  # the last day covered so far
    for first, last in sorted(spans):
        if first > reach + ONE_DAY:
            return False  # a day between reach and first is not covered
        reach = max(reach, last)
        if reach >= end:
            return True
    return False


class Spans:
    """The approved exemption ranges of a tenant that touch a date range, by helper and by household."""

    def __init__(self, tenant_id: int, start: dt.date, end: dt.date, subjects: Q | None = None):
        self.person: dict[int, list[Span]] = defaultdict(list)
        self.household: dict[int, list[Span]] = defaultdict(list)
        rows = Exemption.objects.approved().filter(tenant_id=tenant_id, start_on__lte=end, end_on__gte=start)
        for person, household, first, last in rows.filter(subjects or Q()).values_list(
                "person_id", "household_id", "start_on", "end_on"):
            if person is not None:
                self.person[person].append((first, last))
            if household is not None:
                self.household[household].append((first, last))

    def __bool__(self) -> bool:
        return bool(self.person or self.household)

    def cover(self, person_id: int | None, household_id: int, start: dt.date, end: dt.date) -> bool:
        return covers([*self.person.get(person_id, ()), *self.household.get(household_id, ())], start, end)


def exempt_pairings(*, tenant_id: int, role: str, start: dt.date, end: dt.date) -> list[int]:
    """Ids of the tenant's pairings whose window from `start` to `end` the exemptions cover, for the helper
    of `role` (first/second). Exemptions are few, so this is two small queries, not a scan."""
    spans = Spans(tenant_id, start, end)
    if not spans:
        return []
    helper = f"{role}_helper_id"
    candidates = Pairing.objects.filter(tenant_id=tenant_id).filter(
        Q(**{f"{helper}__in": list(spans.person)}) | Q(household_id__in=list(spans.household)))
    return sorted(pk for pk, person, household in candidates.values_list("id", helper, "household_id")
                  if spans.cover(person, household, start, end))
