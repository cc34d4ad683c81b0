"""Who receives a message about a person or an organisation (the domain side of SPEC §6).

`notifications` knows nothing of the domain; this resolves people and organisations to Recipients:
a person → their login (inbox) and phone; a town → its town-office logins and its two 附件5 contacts;
a unit → its liaison logins; the city office / leadership group → their logins.
"""

from __future__ import annotations

from backend.directory.models import Organisation, OrgKind, Person
from backend.tenancy.models import Membership
from backend.tenancy.roles import Role
from notifications.services import Recipient

ORG_ROLES = {
    OrgKind.TOWN: Role.TOWN_OFFICE,
    OrgKind.UNIT: Role.UNIT_LIAISON,
    OrgKind.CITY_OFFICE: Role.CITY_OFFICE,
    OrgKind.LEADING_GROUP: Role.LEADING_GROUP,
    OrgKind.DEPARTMENT: Role.ASSESSOR,
}


def _login(m: Membership) -> Recipient:
    user = m.user
    return Recipient(ref=f"user:{user.pk}", name=user.get_full_name() or user.username, user_id=user.pk,
                     person_id=m.person_id, email=user.email or "",
                     mobile=m.person.phone if m.person_id else "")


def for_person(person: Person) -> list[Recipient]:
    logins = [_login(m) for m in Membership.objects.filter(person=person).select_related("user", "person")]
    if logins:
        return logins
    return [Recipient(ref=f"person:{person.pk}", name=person.name, person_id=person.pk, mobile=person.phone)]


def for_people(people) -> dict[int, list[Recipient]]:
    """`for_person` for many people at once, by person id: one query for all their logins."""
    people = list(people)
    logins: dict[int, list[Recipient]] = {}
    for m in Membership.objects.filter(person__in=people).select_related("user", "person"):
        logins.setdefault(m.person_id, []).append(_login(m))
    return {p.pk: logins.get(p.pk) or [Recipient(ref=f"person:{p.pk}", name=p.name, person_id=p.pk, mobile=p.phone)]
            for p in people}


def for_organisation(org: Organisation) -> list[Recipient]:
    role = ORG_ROLES.get(org.kind)
    members = Membership.objects.filter(organisation=org).select_related("user", "person")
    found = [_login(m) for m in members if role in m.roles]
    if org.kind == OrgKind.TOWN:
        found += [Recipient(ref=f"contact:{c.pk}", name=c.name, mobile=c.mobile, email=c.email)
                  for c in org.contacts.all()]
    return found
