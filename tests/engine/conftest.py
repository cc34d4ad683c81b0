"""Helpers for engine tests: pairings through the real services, contacts through the real ContactMonth
maintenance, and the engine run as `bangfu enforce` runs it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from backend.directory.models import HelperCategory
from backend.fieldwork import contacts
from backend.fieldwork.models import Channel, Visit
from backend.tenancy.models import Policy
from tests import factories as f
from workflows.engine import runs
from workflows.pairings import services as pairings

D = dt.date
PROPOSED, MET = D(2018, 3, 19), D(2018, 3, 20)
MONTHS_2018 = range(3, 13)


def helper_of(cast, name: str = "", unit=None):
    """Another first helper of the cast's unit (or `unit`), on its accepted roster for the town."""
    person = f.PersonFactory(organisation=unit or cast.unit, helper_category=HelperCategory.CITY_AGENCY,
                             **({"name": name} if name else {}))
    f.put_on_roster(person, cast.town)
    return person


def second_of(cast):
    return f.PersonFactory(organisation=cast.town, helper_category=HelperCategory.TOWN_CADRE)


def paired(cast, *, household=None, first=None, second=None, proposed=PROPOSED, met=MET):
    actor = cast.actor("town_office")
    pairing = pairings.assign(actor=actor, household=household or f.HouseholdFactory(village=cast.village),
                              first_helper=first or helper_of(cast), second_helper=second or cast.second_helper,
                              on=proposed)
    if met is not None:
        pairing = pairings.activate(actor=actor, pairing=pairing, met_on=met)
    return pairing


def contact(pairing, on: dt.date, *, role: str = "first", channel: str = Channel.IN_PERSON) -> Visit:
    """A visit or call record, with its contact month kept exact as the visit service does."""
    with transaction.atomic():
        visit = Visit.objects.create(
            tenant_id=pairing.tenant_id, pairing=pairing, role=role, channel=channel, occurred_on=on,
            helper_id=pairing.first_helper_id if role == "first" else pairing.second_helper_id,
            household_sign_method="signature" if channel == Channel.IN_PERSON else "",
            household_signer_name="户主" if channel == Channel.IN_PERSON else "")
        contacts.refresh(pairing.tenant_id, [contacts.key_of(visit)])
    return visit


def void(visit: Visit) -> None:
    from backend.common import clock

    with transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(voided=True, voided_at=clock.now())
        contacts.refresh(visit.tenant_id, [contacts.key_of(visit)])


def keep_up(pairing, months=MONTHS_2018, *, skip: tuple = ()) -> None:
    """Every contact the default rules ask for in these 2018 months, except the (role, channel, month)
    triples in `skip`: first helper in person in each window's first (odd) month, a call and a second-helper
    visit every month. A first-helper visit also counts as its month's contact, so a call missed in an odd
    month is no miss."""
    for month in months:
        wanted = [("first", Channel.PHONE), ("second", Channel.IN_PERSON)]
        if month % 2 == 1:
            wanted.append(("first", Channel.IN_PERSON))
        for role, channel in wanted:
            if (role, channel, month) in skip:
                continue
            contact(pairing, D(2018, month, 12 if channel == Channel.IN_PERSON else 10), role=role, channel=channel)


def enforce(cast, on: dt.date):
    return runs.enforce(tenant=cast.tenant, as_of=on)


def new_policy(cast, **changes) -> Policy:
    """A new policy version (rows are immutable), in force from 2018-01-01 like the first."""
    current = Policy.current(cast.tenant)
    fields = {f.name: getattr(current, f.name) for f in Policy._meta.fields
              if f.name not in ("id", "version", "created_at", "tenant")}
    return Policy.objects.create(tenant=cast.tenant, **{**fields, **changes})
