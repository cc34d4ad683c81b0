"""Reads behind the town office's pairing board (S1–S3): who needs helpers and who can still take one.

Eligibility and capacity are decided by `workflows.pairings.services.assign`; these lists only show the
candidates and their remaining capacity so the office can choose in a few clicks.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from backend.directory.models import HelperCategory, Organisation, Person
from backend.tenancy.models import Policy
from backend.tenancy.scoping import Actor
from workflows.pairings.models import OPEN_STATES, Pairing, PairingState
from workflows.rosters.models import RosterEntry, RosterState

from .due import unpaired_households


def towns_for(actor: Actor):
    return Organisation.objects.visible_to(actor).towns().order_by("code")


def households(actor: Actor, town: Organisation, policy: Policy, on: dt.date):
    return (unpaired_households(actor, policy, on.year).filter(village__town=town)
            .select_related("village").order_by("village__code", "code"))


def first_helpers(actor: Actor, town: Organisation, policy: Policy):
    """People on the units' accepted rosters for `town` (S10; the rule of rosters.selectors.on_accepted_roster,
    as one set query) who can still take a household; reserve cadres (后备干部) first, as S2 prefers them."""
    on_roster = RosterEntry.objects.filter(roster__town=town, roster__state=RosterState.ACCEPTED).values("person")
    return (Person.objects.for_tenant(actor.tenant).first_helper_candidates()
            .filter(pk__in=on_roster)
            .annotate(open_count=Count("first_pairings", filter=Q(first_pairings__state__in=OPEN_STATES), distinct=True))
            .filter(open_count__lt=policy.first_helper_max_households)
            .select_related("organisation").order_by("-reserve_cadre", "organisation__code", "name", "pk"))


def second_helpers(actor: Actor, town: Organisation, policy: Policy) -> list[Person]:
    """Second-helper candidates of the town (and 两代表一委员) with their remaining capacity, full ones last."""
    capacity = policy.second_helper_max_households
    people = (Person.objects.for_tenant(actor.tenant).second_helper_candidates()
              .filter(Q(organisation=town) | Q(helper_category=HelperCategory.DEPUTY))
              .annotate(open_count=Count("second_pairings", filter=Q(second_pairings__state__in=OPEN_STATES),
                                         distinct=True))
              .select_related("organisation", "village"))
    rows = list(people)
    for p in rows:
        p.remaining = max(capacity - p.open_count, 0)
    return sorted(rows, key=lambda p: (p.remaining == 0, p.organisation_id != town.pk, p.name, p.pk))


def awaiting_meeting(actor: Actor, town: Organisation):
    return (Pairing.objects.visible_to(actor).filter(state=PairingState.PROPOSED, household__village__town=town)
            .select_related("household__village", "first_helper__organisation", "second_helper")
            .order_by("proposed_on", "pk"))
