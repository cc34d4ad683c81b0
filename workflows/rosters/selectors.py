"""Reads about rosters that other workflows need."""

from __future__ import annotations

from backend.directory.models import Organisation, Person, UnitQuota
from backend.tenancy.models import Policy

from .models import Roster, RosterEntry, RosterState


def on_accepted_roster(person: Person, town: Organisation | int) -> bool:
    """Whether a unit has put the person on an accepted roster for the town (S10: available as a first helper)."""
    town_id = getattr(town, "pk", town)
    return RosterEntry.objects.filter(person=person, roster__town_id=town_id,
                                      roster__state=RosterState.ACCEPTED).exists()


def overdue(tenant, as_of) -> list[UnitQuota]:
    """A6 allocations with no roster submitted (or accepted) by the cutoff, judged from the day after it (S10).

    For the deadline engine's roster warnings: a returned roster not yet resubmitted counts as not submitted.
    """
    cutoff = Policy.current(tenant, as_of).roster_cutoff
    if as_of <= cutoff:
        return []
    done = Roster.objects.filter(tenant=tenant, year=cutoff.year,
                                 state__in=[RosterState.SUBMITTED, RosterState.ACCEPTED]).values_list("unit_id", "town_id")
    done = set(done)
    quotas = UnitQuota.objects.filter(tenant=tenant, count__gt=0).select_related("unit", "town").order_by("unit__code",
                                                                                                         "town__code")
    return [q for q in quotas if (q.unit_id, q.town_id) not in done]
