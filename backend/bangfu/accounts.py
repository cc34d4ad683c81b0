"""Creating logins (the `adduser` command and the demo's one login per role)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from backend.directory.models import Organisation, Person
from backend.tenancy.models import Membership, Tenant
from backend.tenancy.roles import Role


@transaction.atomic
def add_user(*, username: str, tenant_code: str, org_code: str, roles: list[str], password: str,
             person_id: int | None = None, can_reveal: bool = False, full_name: str = "") -> Membership:
    bad = [r for r in roles if r not in Role.values]
    if bad:
        raise ValueError(f"unknown role(s): {', '.join(bad)}; choose from {', '.join(Role.values)}")
    tenant = Tenant.objects.filter(code=tenant_code).first()
    if tenant is None:
        raise ValueError(f"no tenant with code {tenant_code}")
    org = Organisation.objects.filter(tenant=tenant, code=org_code).first()
    if org is None:
        raise ValueError(f"no organisation {org_code} in tenant {tenant_code}")
    person = None
    if person_id is not None:
        person = Person.objects.filter(tenant=tenant, pk=person_id).first()
        if person is None:
            raise ValueError(f"no person {person_id} in tenant {tenant_code}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"user {username} already exists")
    user = User(username=username, first_name=full_name or (person.name if person else ""),
                is_staff=Role.OPERATOR in roles)  # tenant-scoped in the admin, never a superuser
    user.set_password(password)
    user.save()
    return Membership.objects.create(tenant=tenant, user=user, organisation=org, person=person, roles=roles,
                                     can_reveal_personal_data=can_reveal)
