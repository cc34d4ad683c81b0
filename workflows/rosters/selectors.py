"""Reads about rosters that other workflows need."""

from __future__ import annotations

from backend.directory.models import Organisation, Person

from .models import RosterEntry, RosterState


def on_accepted_roster(person: Person, town: Organisation | int) -> bool:
    """Whether a unit has put the person on an accepted roster for the town (S10: available as a first helper)."""
    town_id = getattr(town, "pk", town)
    return RosterEntry.objects.filter(person=person, roster__town_id=town_id,
                                      roster__state=RosterState.ACCEPTED).exists()
