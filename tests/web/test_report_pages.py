"""Quarterly report pages (S6, S11, S14): compile from records, attest, submit (override with a reason), the
city office returns with a reason, the town corrects named villages and sees what changed."""

from __future__ import annotations

import re

import pytest

from workflows.reporting.models import QuarterlyReport

from .helpers import proposed_pairing, signed_in, text, today
from .test_helper_pages import visit_post


@pytest.fixture
def pairing(cast):
    return proposed_pairing(cast)


def open_report(cast) -> QuarterlyReport:
    now = today(cast.tenant)
    response = signed_in(cast, "town_office").post("/reports/", {"year": now.year, "quarter": (now.month - 1) // 3 + 1})
    report = QuarterlyReport.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    return report


def test_s14_compile_attest_submit_return_and_what_changed(cast, pairing):
    report = open_report(cast)
    town = signed_in(cast, "town_office")
    town.post(f"/reports/{report.pk}/", {"action": "compile"})
    page = text(town.get(f"/reports/{report.pk}/"))
    assert "张德福" in page and "王芳" in page  # the line, and the second helper still to attest

    refused = town.post(f"/reports/{report.pk}/", {"action": "submit", "override_reason": ""})
    assert refused.status_code == 422
    assert re.search(r'<label for="id_override_reason">.*?<p class="error"[^>]*>尚有1名第二帮扶责任人未确认', text(refused))

    second = signed_in(cast, "second_helper")
    assert "确认本季度考勤" in text(second.get(f"/reports/{report.pk}/"))
    assert second.post(f"/reports/{report.pk}/", {"action": "attest", "note": "已核对"}).status_code == 302
    assert town.post(f"/reports/{report.pk}/", {"action": "submit"}).status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"

    city = signed_in(cast, "city_office")
    assert f'data-report="{report.pk}" data-state="submitted"' in text(city.get("/reports/"))
    no_reason = city.post(f"/reports/{report.pk}/", {"action": "return", "reason": ""})
    assert no_reason.status_code == 422 and "退回季度报告须说明原因" in text(no_reason)
    city.post(f"/reports/{report.pk}/", {"action": "return", "reason": "西关村入户次数与走访记录不符，请核实。"})

    # The helper's visit was entered after compiling; the town corrects that village only.
    signed_in(cast, "first_helper").post(f"/my/{pairing.pk}/visit/", visit_post(cast))
    page = text(town.get(f"/reports/{report.pk}/"))
    assert "西关村入户次数与走访记录不符，请核实。" in page
    town.post(f"/reports/{report.pk}/", {"action": "reopen", "villages": [cast.village.pk]})
    page = text(town.get(f"/reports/{report.pk}/"))
    assert "与上次报送相比的变化" in page and re.search(r"张德福</strong>：修改；第一帮扶责任人入户次数 0 → 1", page)


def test_quarterly_reports_are_scoped(cast, other, pairing):
    report = open_report(cast)
    assert signed_in(other, "town_office").get(f"/reports/{report.pk}/").status_code == 404
    assert signed_in(cast, "first_helper").get(f"/reports/{report.pk}/").status_code == 403
