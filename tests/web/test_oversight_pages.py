"""The public village disclosure (S12), unit scorecards (S17) and the misses list."""

from __future__ import annotations

import re

from django.test import Client

from workflows.accountability.models import Miss
from workflows.pairings import services

from .helpers import current_policy, signed_in, text, today


def miss(cast, n: int, **kw) -> Miss:
    year = today(cast.tenant).year
    return Miss.objects.create(tenant=cast.tenant, key=f"visit:test:{n}", kind="visit", year=year,
                               person=cast.first_helper, role="first", organisation=cast.unit, town=cast.town,
                               household=cast.household, policy_version=1, **kw)


def test_s12_village_disclosure_is_public_whitelisted_and_masked(cast, other):
    current_policy(cast)
    services.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                    second_helper=cast.second_helper, on=today(cast.tenant))
    response = Client().get(f"/disclosure/{cast.tenant.code}/{cast.village.code}/")
    assert response.status_code == 200
    page = text(response)
    assert "张*福" in page and "张德福" not in page  # an online copy masks the head's name
    assert "李明" in page and "王芳" in page and cast.unit.name in page
    assert cast.household.phone not in page and cast.household.phone[-4:] not in page
    assert cast.household.code not in page
    member_ids = list(cast.household.members.values_list("id_number", flat=True))
    assert all(i[-4:] not in page for i in member_ids)
    assert Client().get(f"/disclosure/{cast.tenant.code}/{other.village.code}/").status_code == 404


def test_s17_scorecards_show_underperforming_units_in_red(cast):
    current_policy(cast, ladder_unit_misses=3)
    for n in range(3):
        miss(cast, n)
    page = text(signed_in(cast, "leading_group").get("/leadership/units/"))
    row = re.search(rf'<tr data-unit="{cast.unit.code}" class="bad">.*?</tr>', page)
    assert row and "未履职3人次，达到3人次" in row.group(0)
    assert signed_in(cast, "unit_liaison").get("/leadership/units/").status_code == 403


def test_s17_misses_list_is_scoped_to_the_town(cast, other):
    current_policy(cast)
    miss(cast, 1)
    page = text(signed_in(cast, "town_office").get("/misses/"))
    assert "未按要求入户走访" in page and "李明" in page
    assert "李明" not in text(signed_in(other, "town_office").get("/misses/"))
