"""What the engine tells people (SPEC §6): a message per new miss or overdue item, and reminders before due
dates. Messages are notification rows with de-duplication keys, written in the caller's transaction.

Recipients are resolved for a whole batch at once (one query for the people, one per organisation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from backend.directory.models import Organisation, OrgKind
from notifications.services import Message, Recipient, notify_many
from workflows.accountability.models import Miss, MissKind
from workflows.core import recipients

CHUNK = 500


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def send(tenant, messages: list[Message]) -> int:
    """The messages of a chunk in a few statements; how many of them made at least one new row."""
    created = notify_many(tenant=tenant, messages=[m for m in messages if m.recipients])
    return len({n.key.rsplit("|", 1)[0] for n in created})


class Audience:
    """Recipients of people and organisations, looked up once per run."""

    def __init__(self, tenant):
        self.tenant = tenant
        self._people: dict[int, list[Recipient]] = {}
        self._orgs: dict[int, list[Recipient]] = {}
        self._city: Organisation | None = None

    def load_people(self, people: Iterable) -> None:
        wanted = {p.pk: p for p in people if p is not None and p.pk not in self._people}
        for part in chunks(list(wanted.values())):
            self._people.update(recipients.for_people(part))

    def person(self, person) -> list[Recipient]:
        if person.pk not in self._people:
            self.load_people([person])
        return self._people[person.pk]

    def organisation(self, org: Organisation | None) -> list[Recipient]:
        if org is None:
            return []
        if org.pk not in self._orgs:
            self._orgs[org.pk] = recipients.for_organisation(org)
        return self._orgs[org.pk]

    def city_office(self) -> list[Recipient]:
        if self._city is None:
            self._city = Organisation.objects.filter(tenant=self.tenant, kind=OrgKind.CITY_OFFICE).first()
        return self.organisation(self._city)

    @staticmethod
    def merge(*groups: list[Recipient]) -> list[Recipient]:
        seen: dict[str, Recipient] = {}
        for group in groups:
            for r in group:
                seen.setdefault(r.ref, r)
        return list(seen.values())


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def window_label(miss: Miss) -> str:
    start, end = miss.window_start, miss.window_end
    if miss.kind == MissKind.NOT_IN_PLACE:
        return f"{_date(end)}前"
    if start.year == end.year and start.month == end.month:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年{start.month}月—{end.month}月"


def _miss_message(miss: Miss, audience: Audience) -> tuple[str, list[Recipient], dict]:
    if miss.kind == MissKind.ROSTER_OVERDUE:
        return "roster_overdue", audience.merge(audience.organisation(miss.organisation), audience.city_office()), {
            "unit_name": miss.organisation.name, "town_name": miss.town.name, "cutoff": miss.window_start}
    if miss.kind == MissKind.REPORT_OVERDUE:
        return "report_overdue", audience.merge(audience.organisation(miss.town), audience.city_office()), {
            "town_name": miss.town.name, "quarter_label": miss.evidence.get("quarter_label", ""),
            "due_on": miss.window_end}
    return "miss_recorded", audience.merge(audience.person(miss.person), audience.organisation(miss.town)), {
        "person_name": miss.person.name, "household_name": miss.household.head_name,
        "kind_label": miss.get_kind_display(), "window_label": window_label(miss)}


def misses_recorded(*, tenant, miss_ids: list[int], audience: Audience) -> int:
    """One message per new miss, keyed by the miss so a rerun sends nothing twice."""
    sent = 0
    for part in chunks(sorted(miss_ids)):
        misses = list(Miss.objects.filter(pk__in=part).select_related("person", "household", "town", "organisation"))
        audience.load_people(m.person for m in misses)
        messages = []
        for miss in misses:
            kind, to, context = _miss_message(miss, audience)
            messages.append(Message(to, kind, f"miss:{miss.key}", context, obj=miss, town=miss.town_id))
        sent += send(tenant, messages)
    return sent
