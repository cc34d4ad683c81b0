"""Exemptions (SPEC §5): the town office registers and decides; errors sit next to their fields."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from workflows.engine.models import Exemption

from .helpers import proposed_pairing, signed_in, text, today


@pytest.fixture
def pairing(cast):
    return proposed_pairing(cast)


def test_sec5_town_office_registers_and_approves_an_exemption(cast, other, pairing):
    now = today(cast.tenant)
    town = signed_in(cast, "town_office")
    data = {"person": cast.first_helper.pk, "start_on": now.isoformat(),
            "end_on": (now + dt.timedelta(days=60)).isoformat(), "reason_code": "hospitalisation", "reason": ""}
    refused = town.post("/exemptions/", data)
    assert refused.status_code == 422
    assert re.search(r'<label for="id_reason">情况说明</label>.*?<p class="error"[^>]*>请说明免于考核的具体情况。', text(refused))
    assert town.post("/exemptions/", {**data, "reason": "住院治疗两个月"}).status_code == 302
    exemption = Exemption.objects.get()
    no_reason = town.post(f"/exemptions/{exemption.pk}/decide/", {"action": "reject", f"x{exemption.pk}-reason": ""})
    assert no_reason.status_code == 422 and "不予批准须说明理由" in text(no_reason)
    assert town.post(f"/exemptions/{exemption.pk}/decide/", {"action": "approve"}).status_code == 302
    exemption.refresh_from_db()
    assert exemption.state == "approved"
    assert signed_in(other, "town_office").post(f"/exemptions/{exemption.pk}/decide/",
                                                {"action": "revoke"}).status_code == 404
