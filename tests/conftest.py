"""The fixed cast (ARCHITECTURE "Tests"): two tenants; in each a city office, a town with a village, a unit
with an A6 quota, a first helper on the unit's accepted roster for the town, a second helper, households,
and one login per role."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from backend.bangfu.accounts import add_user
from backend.directory.models import HelperCategory, OrgKind
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor

from . import factories as f

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    tenant: object
    policy: object
    city_office: object
    leading_group: object
    department: object
    town: object
    village: object
    unit: object
    first_helper: object
    second_helper: object
    household: object
    users: dict = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.users[role])
        return client

    def actor(self, role: str) -> Actor:
        return Actor.for_user(self.users[role])


def build_cast(code: str, name: str) -> Cast:
    tenant = f.TenantFactory(code=code, name=name)
    policy = Policy.current(tenant)
    org = lambda kind, c, n: f.OrganisationFactory(tenant=tenant, kind=kind, code=c, name=n, unit_kind="")  # noqa: E731
    city = org(OrgKind.CITY_OFFICE, "city-office", f"{name}扶贫办")
    leading = org(OrgKind.LEADING_GROUP, "leading-group", f"{name}扶贫开发领导小组")
    dept = org(OrgKind.DEPARTMENT, "org-dept", f"{name}委组织部")
    town = org(OrgKind.TOWN, f"{code}004", "城港路街道")
    village = f.VillageFactory(tenant=tenant, town=town, code=f"{code}004001", name="西关村")
    unit = f.OrganisationFactory(tenant=tenant, kind=OrgKind.UNIT, code="czj", name=f"{name}财政局")
    f.QuotaFactory(unit=unit, town=town, count=2)
    first = f.PersonFactory(organisation=unit, name="李明", helper_category=HelperCategory.CITY_AGENCY, reserve_cadre=True)
    second = f.PersonFactory(organisation=town, name="王芳", helper_category=HelperCategory.TOWN_CADRE)
    household = f.HouseholdFactory(village=village, head_name="张德福")
    f.put_on_roster(first, town)  # S10: the unit's roster for the town has been accepted
    cast = Cast(tenant, policy, city, leading, dept, town, village, unit, first, second, household)
    for role, org_code, extra in (
        (Role.OPERATOR, "city-office", {"can_reveal": True}),
        (Role.CITY_OFFICE, "city-office", {"can_reveal": True}),
        (Role.LEADING_GROUP, "leading-group", {}),
        (Role.ASSESSOR, "org-dept", {}),
        (Role.TOWN_OFFICE, town.code, {"can_reveal": True}),
        (Role.UNIT_LIAISON, unit.code, {}),
        (Role.FIRST_HELPER, unit.code, {"person_id": first.pk}),
        (Role.SECOND_HELPER, town.code, {"person_id": second.pk}),
    ):
        m = add_user(username=f"{code}-{role}", tenant_code=code, org_code=org_code, roles=[role],
                     password="secret-pass-123", **extra)
        cast.users[role] = m.user
    return cast


@pytest.fixture
def cast(db) -> Cast:
    return build_cast("370683", "莱州市")


@pytest.fixture
def other(db) -> Cast:
    """A second tenant, to prove isolation."""
    return build_cast("370600", "另一市")


@pytest.fixture
def enqueued(monkeypatch):
    """Jobs asked for by name after commit, captured instead of sent (eager mode ignores send-by-name)."""
    from backend.common import jobs

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(jobs, "_send", lambda name, kwargs: sent.append((name, kwargs)))
    return sent


PAIRED_ON = dt.date(2018, 3, 19)
