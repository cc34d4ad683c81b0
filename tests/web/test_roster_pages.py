"""Roster pages (S10): the unit liaison fills and submits against the A6 quota; the town office accepts or
returns; status and history shown; accepted people appear on the pairing board."""

from __future__ import annotations

import re

import pytest

from backend.directory.models import HelperCategory
from tests.factories import PersonFactory
from workflows.rosters.models import Roster

from .helpers import current_policy, signed_in, text


@pytest.fixture
def campaign(cast):
    """This year's campaign: the cast's unit owes the town 2 first helpers (A6) and has three candidates."""
    current_policy(cast)
    zhao = PersonFactory(organisation=cast.unit, name="赵强", helper_category=HelperCategory.CITY_AGENCY)
    qian = PersonFactory(organisation=cast.unit, name="钱亮", helper_category=HelperCategory.CITY_AGENCY)
    return zhao, qian


def open_roster(cast) -> Roster:
    response = signed_in(cast, "unit_liaison").post(f"/unit/rosters/open/{cast.town.pk}/")
    roster = Roster.objects.get(unit=cast.unit, town=cast.town, state="draft")
    assert response["Location"] == f"/unit/rosters/{roster.pk}/"
    return roster


def test_s10_unit_roster_list_shows_quota_status_and_cutoff(cast, campaign):
    page = text(signed_in(cast, "unit_liaison").get("/unit/rosters/"))
    assert "城港路街道" in page and "开始填报" in page and "还剩5天" in page


def test_s10_submit_refuses_a_count_different_from_the_quota(cast, campaign):
    zhao, _qian = campaign
    roster = open_roster(cast)
    client = signed_in(cast, "unit_liaison")
    page = text(client.post(f"/unit/rosters/{roster.pk}/", {"action": "submit", "person": [zhao.pk]}))
    assert "名单人数为1人，与分配明细表（附件6）" in page and "的2人不一致" in page
    roster.refresh_from_db()
    assert roster.state == "draft"


def test_s10_bad_phone_is_shown_on_its_row(cast, campaign):
    zhao, qian = campaign
    roster = open_roster(cast)
    response = signed_in(cast, "unit_liaison").post(
        f"/unit/rosters/{roster.pk}/", {"action": "save", "person": [zhao.pk, qian.pk], f"phone-{qian.pk}": "12345"})
    assert response.status_code == 422
    row = re.search(rf'<tr data-person="{qian.pk}" class="bad">.*?</tr>', text(response))
    assert row and "第2行" in row.group(0)


def test_s10_submitted_roster_is_accepted_by_the_town_and_its_people_can_be_paired(cast, campaign):
    zhao, qian = campaign
    roster = open_roster(cast)
    unit = signed_in(cast, "unit_liaison")
    assert unit.post(f"/unit/rosters/{roster.pk}/", {"action": "save", "person": [zhao.pk, qian.pk]}).status_code == 302
    assert unit.post(f"/unit/rosters/{roster.pk}/", {"action": "submit", "person": [zhao.pk, qian.pk]}).status_code == 302
    town = signed_in(cast, "town_office")
    assert "赵强" not in text(town.get("/town/pairing/"))
    page = text(town.get("/town/rosters/"))
    assert f'data-roster="{roster.pk}" data-state="submitted"' in page and "赵强" in page
    assert town.post(f"/town/rosters/{roster.pk}/decide/", {"action": "accept"}).status_code == 302
    roster.refresh_from_db()
    assert roster.state == "accepted"
    assert "赵强" in text(town.get("/town/pairing/"))
    history = text(unit.get(f"/unit/rosters/{roster.pk}/"))
    assert "报送（草稿 → 已报送）" in history and "接收（已报送 → 已接收）" in history


def test_s10_returning_needs_a_reason_next_to_its_field_and_the_unit_revises(cast, campaign):
    zhao, qian = campaign
    roster = open_roster(cast)
    unit = signed_in(cast, "unit_liaison")
    unit.post(f"/unit/rosters/{roster.pk}/", {"action": "submit", "person": [zhao.pk, qian.pk]})
    town = signed_in(cast, "town_office")
    refused = town.post(f"/town/rosters/{roster.pk}/decide/", {"action": "return", "reason": ""})
    assert refused.status_code == 422
    assert re.search(r'<label for="id_reason">退回原因</label>.*?<p class="error"[^>]*>退回名单须说明原因。', text(refused))
    town.post(f"/town/rosters/{roster.pk}/decide/", {"action": "return", "reason": "钱亮不是党员，请更换。"})
    page = text(unit.get(f"/unit/rosters/{roster.pk}/"))
    assert "钱亮不是党员，请更换。" in page and "重新编辑" in page
    unit.post(f"/unit/rosters/{roster.pk}/", {"action": "revise"})
    roster.refresh_from_db()
    assert roster.state == "draft"


def test_roster_pages_are_scoped(cast, other, campaign):
    roster = open_roster(cast)
    assert signed_in(other, "unit_liaison").get(f"/unit/rosters/{roster.pk}/").status_code == 404
    assert signed_in(other, "town_office").post(f"/town/rosters/{roster.pk}/decide/",
                                                {"action": "accept"}).status_code == 404
    assert signed_in(cast, "first_helper").get("/unit/rosters/").status_code == 403
