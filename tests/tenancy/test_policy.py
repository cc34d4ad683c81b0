import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from backend.tenancy.models import Policy


def test_policy_defaults_are_laizhou_numbers(cast):
    p = cast.policy
    assert (p.first_helper_max_households, p.second_helper_max_households) == (1, 5)
    assert (p.roster_cutoff, p.in_place_cutoff) == (dt.date(2018, 3, 21), dt.date(2018, 3, 25))
    assert p.replacement_notice_days == 60 and p.grace_days == 5
    assert {"role": "first", "channel": "in_person", "months": 2} in p.frequency_rules


def test_policy_versions_are_immutable(cast):
    with pytest.raises(ValidationError):
        cast.policy.grace_days = 9
        cast.policy.save()
    newer = Policy.objects.create(tenant=cast.tenant, grace_days=9, effective_from=dt.date(2019, 1, 1))
    assert newer.version == cast.policy.version + 1
    assert Policy.current(cast.tenant).grace_days == 9
    assert Policy.current(cast.tenant, on=dt.date(2018, 6, 1)).version == cast.policy.version


def test_policy_endpoint_is_tenant_specific(cast, other):
    Policy.objects.create(tenant=other.tenant, grace_days=7)
    assert cast.client("town_office").get("/api/v1/policy/").json()["grace_days"] == 5
    assert other.client("town_office").get("/api/v1/policy/").json()["grace_days"] == 7
