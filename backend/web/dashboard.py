"""Aggregates for the city office's dashboard: a constant number of grouped queries, whatever the size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from backend.directory.models import Organisation
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.scoping import Actor
from workflows.accountability.models import Miss
from workflows.pairings.models import Pairing, PairingState


@dataclass
class TownRow:
    town: Organisation
    in_scope: int = 0
    paired: int = 0
    active: int = 0
    misses: int = 0

    @property
    def coverage(self) -> float | None:
        return self.paired / self.in_scope if self.in_scope else None

    @property
    def in_place(self) -> float | None:
        return self.active / self.in_scope if self.in_scope else None


def _by(qs, key: str) -> dict[int, int]:
    # order_by() drops the model's default ordering, which would otherwise split the groups.
    return dict(qs.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n"))


def by_town(actor: Actor, policy: Policy, on: dt.date) -> list[TownRow]:
    towns = Organisation.objects.visible_to(actor).towns().order_by("code")
    households = Household.objects.visible_to(actor).in_scope(policy, on.year)
    pairings = Pairing.objects.visible_to(actor).open()
    in_scope = _by(households, "village__town")
    paired = _by(pairings, "household__village__town")
    active = _by(pairings.filter(state=PairingState.ACTIVE), "household__village__town")
    misses = _by(Miss.objects.visible_to(actor).counting().filter(year=on.year), "town")
    return [TownRow(t, in_scope.get(t.pk, 0), paired.get(t.pk, 0), active.get(t.pk, 0), misses.get(t.pk, 0))
            for t in towns]


def misses_by_unit(actor: Actor, year: int) -> list[tuple[str, int]]:
    rows = (Miss.objects.visible_to(actor).counting().filter(year=year, organisation__kind="unit")
            .order_by().values("organisation__name").annotate(n=Count("pk")).order_by("-n", "organisation__name")
            .values_list("organisation__name", "n")[:15])
    return [(name, n) for name, n in rows]


def totals(rows: list[TownRow]) -> dict:
    return {"in_scope": sum(r.in_scope for r in rows), "paired": sum(r.paired for r in rows),
            "active": sum(r.active for r in rows), "misses": sum(r.misses for r in rows)}
