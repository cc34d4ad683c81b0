"""Who may act on a household's records in the plans area, and the tenant's date: shared by help plans,
income statements, deliveries and inspections."""

from __future__ import annotations

import datetime as dt

from backend.common import clock
from backend.common.errors import Forbidden, NotFound
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor

OFFICES = (Role.OPERATOR, Role.CITY_OFFICE)


def local_today(tenant) -> dt.date:
    return clock.local_today(tenant.time_zone)


def d(on: dt.date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def same_tenant(actor: Actor, *objs) -> None:
    """Another tenant's object looks absent (404), whatever path it came by."""
    if any(o is not None and o.tenant_id != actor.tenant.pk for o in objs):
        raise NotFound()


def is_city_office(actor: Actor) -> bool:
    return actor.system or actor.has(*OFFICES)


def is_town_office_of(actor: Actor, household) -> bool:
    return (actor.has(Role.TOWN_OFFICE) and actor.organisation is not None
            and household.village.town_id == actor.organisation.pk)


def helper_role(actor: Actor, pairing) -> str | None:
    """"first" or "second" when the actor is that helper of the pairing."""
    person_id = getattr(actor.person, "pk", None)
    if person_id is None or pairing is None:
        return None
    if person_id == pairing.first_helper_id and actor.has(Role.FIRST_HELPER):
        return "first"
    if person_id == pairing.second_helper_id and actor.has(Role.SECOND_HELPER):
        return "second"
    return None


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)
