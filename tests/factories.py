"""factory_boy factories for the records; the fixed cast in conftest.py is built from them."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from backend.common.validators import id_check_digit
from backend.directory.models import (
    HelperCategory,
    Organisation,
    OrgKind,
    Person,
    UnitKind,
    UnitQuota,
    Village,
)
from backend.households.models import Household, Member
from backend.tenancy.models import Policy, Tenant
from workflows.rosters.models import Roster, RosterEntry, RosterState

_seq = itertools.count(1)


def id_number(born: dt.date = dt.date(1960, 5, 17), sex: str = "01", area: str = "370683") -> str:
    """A checksum-valid 18-digit ID, unique per call."""
    n = next(_seq)
    seq = (n % 499) * 2 + (1 if sex == "01" else 0)
    born = born + dt.timedelta(days=n // 499)
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"3799{n:02d}")
    name = factory.Sequence(lambda n: f"测试{n}市")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    tenant = factory.SubFactory(TenantFactory)
    kind = OrgKind.UNIT
    unit_kind = factory.LazyAttribute(lambda o: UnitKind.CITY_AGENCY if o.kind == OrgKind.UNIT else "")
    code = factory.Sequence(lambda n: f"org{n}")
    name = factory.Sequence(lambda n: f"单位{n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    tenant = factory.LazyAttribute(lambda o: o.town.tenant)
    town = factory.SubFactory(OrganisationFactory, kind=OrgKind.TOWN)
    code = factory.Sequence(lambda n: f"3706830{n:05d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    tenant = factory.LazyAttribute(lambda o: o.organisation.tenant)
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"干部{n}")
    position = "科员"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    party_member = True
    helper_category = factory.LazyAttribute(
        lambda o: {OrgKind.UNIT: HelperCategory.CITY_AGENCY}.get(o.organisation.kind, HelperCategory.TOWN_CADRE))


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitQuota

    tenant = factory.LazyAttribute(lambda o: o.unit.tenant)
    count = 1


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    tenant = factory.LazyAttribute(lambda o: o.village.tenant)
    village = factory.SubFactory(VillageFactory)
    code = factory.Sequence(lambda n: f"H{n:08d}")
    head_name = factory.Sequence(lambda n: f"户主{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    size = 1
    status = "1"
    attribute = "05"
    main_cause = "1"
    identified_year = 2015

    @factory.post_generation
    def head(obj, create, extracted, **kwargs):
        if create:
            Member.objects.create(tenant=obj.tenant, household=obj, name=obj.head_name, relation="01",
                                  id_number=id_number(), sex="01", health=["01"], labour="01", education="02")


def put_on_roster(person: Person, town: Organisation) -> RosterEntry:
    """Test data: the person on their unit's accepted roster for the town, so the town may pair them as a
    first helper (S10). The roster workflow itself is tested in tests/workflows/test_rosters.py."""
    cutoff = Policy.current(person.tenant).roster_cutoff
    roster, _ = Roster.objects.get_or_create(
        tenant=person.tenant, unit=person.organisation, town=town, year=cutoff.year,
        defaults={"cutoff": cutoff, "state": RosterState.ACCEPTED})
    entry, _ = RosterEntry.objects.get_or_create(tenant=person.tenant, roster=roster, person=person,
                                                 defaults={"position": person.position, "phone": person.phone})
    return entry
