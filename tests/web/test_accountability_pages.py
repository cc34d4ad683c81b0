"""Replacement filing and decision (S7) and the escalation queue with its actions (S17)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from backend.directory.models import HelperCategory
from tests.factories import PersonFactory, put_on_roster
from workflows.accountability import services as accountability
from workflows.accountability.models import Miss
from workflows.replacements.models import Replacement

from .helpers import proposed_pairing, signed_in, text, today


@pytest.fixture
def pairing(cast):
    return proposed_pairing(cast)


@pytest.fixture
def newcomer(cast):
    person = PersonFactory(organisation=cast.unit, name="孙伟", helper_category=HelperCategory.CITY_AGENCY)
    put_on_roster(person, cast.town)
    return person


def file(cast, pairing, newcomer, effective_on, reason_code="transfer"):
    return signed_in(cast, "town_office").post("/replacements/file/", {
        "pairing": pairing.pk, "side": "first", "new_helper": newcomer.pk, "reason_code": reason_code,
        "effective_on": effective_on.isoformat(), "reason": "原帮扶责任人工作调动"})


def test_s7_town_files_and_city_accepts_with_enough_notice(cast, pairing, newcomer):
    effective = today(cast.tenant) + dt.timedelta(days=cast.policy.replacement_notice_days + 1)
    assert file(cast, pairing, newcomer, effective).status_code == 302
    replacement = Replacement.objects.get()
    city = signed_in(cast, "city_office")
    assert "李明 → 孙伟" in text(city.get("/replacements/"))
    assert city.post(f"/replacements/{replacement.pk}/decide/", {"action": "accept"}).status_code == 302
    replacement.refresh_from_db()
    assert replacement.state == "accepted" and not replacement.urgent


def test_s7_short_notice_without_a_special_reason_is_refused_with_the_dates(cast, pairing, newcomer):
    file(cast, pairing, newcomer, today(cast.tenant) + dt.timedelta(days=10), reason_code="retirement")
    replacement = Replacement.objects.get()
    response = signed_in(cast, "city_office").post(f"/replacements/{replacement.pk}/decide/", {"action": "accept"})
    assert response.status_code == 422
    assert "不属于可紧急更换的特殊情形" in text(response)
    replacement.refresh_from_db()
    assert replacement.state == "filed"


def test_s7_filing_errors_sit_next_to_their_fields(cast, pairing, newcomer):
    response = file(cast, pairing, newcomer, today(cast.tenant) - dt.timedelta(days=1))
    assert response.status_code == 422
    assert re.search(r'<label for="id_effective_on">生效日期</label>.*?<p class="error"[^>]*>生效日期', text(response))


def test_s17_city_issues_the_notice_and_schedules_the_interview(cast, pairing):
    miss = Miss.objects.create(tenant=cast.tenant, key="visit:web:1", kind="visit", year=today(cast.tenant).year,
                               person=cast.first_helper, role="first", organisation=cast.unit, town=cast.town,
                               household=cast.household, pairing=pairing, policy_version=1)
    escalation = accountability.open_escalation(tenant=cast.tenant, level=1, year=miss.year, person=cast.first_helper,
                                                misses=[miss], actor=cast.actor("city_office"))
    city = signed_in(cast, "city_office")
    page = text(city.get("/escalations/"))
    assert f'data-escalation="{escalation.pk}" data-state="open"' in page and "下发通报" in page
    assert city.post(f"/escalations/{escalation.pk}/issue_notice/").status_code == 302
    prefix = f"e{escalation.pk}-schedule_interview"
    refused = city.post(f"/escalations/{escalation.pk}/schedule_interview/",
                        {f"{prefix}-when": "2030-05-06T09:30", f"{prefix}-where": "", f"{prefix}-who": "王主任"})
    assert refused.status_code == 422
    assert re.search(rf'<label for="id_{prefix}-where">约谈地点</label>.*?<p class="error"[^>]*>请填写约谈地点。', text(refused))
    city.post(f"/escalations/{escalation.pk}/schedule_interview/",
              {f"{prefix}-when": "2030-05-06T09:30", f"{prefix}-where": "市扶贫办会议室", f"{prefix}-who": "王主任"})
    escalation.refresh_from_db()
    assert escalation.state == "interview_scheduled" and escalation.interview_place == "市扶贫办会议室"
    assert escalation.interview_at.astimezone(dt.timezone(dt.timedelta(hours=8))).hour == 9
    # The leadership group's queue holds only unit-level (level 3) steps.
    assert f'data-escalation="{escalation.pk}"' not in text(signed_in(cast, "leading_group").get("/escalations/"))


def test_s17_level_three_is_the_leadership_groups_to_act_on(cast):
    escalation = accountability.open_escalation(tenant=cast.tenant, level=3, year=today(cast.tenant).year,
                                                organisation=cast.unit, misses=[], actor=cast.actor("city_office"))
    leading = signed_in(cast, "leading_group")
    assert "下发通报" in text(leading.get("/escalations/"))
    assert leading.post(f"/escalations/{escalation.pk}/issue_notice/").status_code == 302
    escalation.refresh_from_db()
    assert escalation.state == "notice_issued"
    assert signed_in(cast, "city_office").post(f"/escalations/{escalation.pk}/close/").status_code in (403, 409)
