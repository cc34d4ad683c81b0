"""Inspections (S13, S17): plan a random sample, record findings with errors next to their fields, complete
(an unconfirmed visit becomes a miss), and see presence and satisfaction on the dashboard."""

from __future__ import annotations

import re

from workflows.accountability.models import Miss
from workflows.inspections.models import Finding, Inspection
from workflows.pairings import services as pairings

from .helpers import current_policy, signed_in, today


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_s13_inspection_from_sample_to_findings_to_misses(cast):
    current_policy(cast)
    now = today(cast.tenant)
    p = pairings.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                        second_helper=cast.second_helper, on=now)
    pairings.activate(actor=cast.actor("town_office"), pairing=p, met_on=now)
    city = signed_in(cast, "city_office")
    response = city.post("/inspections/", {"kind": "phone", "planned_on": now.isoformat(), "sample_size": "1"})
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/"
    finding = Finding.objects.get()
    prefix = f"f{finding.pk}"
    missing = city.post(f"/inspections/{inspection.pk}/", {"action": "record", "finding": finding.pk,
                                                           f"{prefix}-contacted": "yes"})
    assert missing.status_code == 422
    assert re.search(rf'<label for="id_{prefix}-helper_in_place">帮扶责任人到位</label>.*?<p class="error"[^>]*>张德福户：请填写',
                     text(missing))
    city.post(f"/inspections/{inspection.pk}/", {
        "action": "record", "finding": finding.pk, f"{prefix}-contacted": "yes", f"{prefix}-helper_in_place": "yes",
        f"{prefix}-visits_confirmed": "no", f"{prefix}-knows_helper_name": "yes",
        f"{prefix}-satisfaction": "dissatisfied"})
    assert city.post(f"/inspections/{inspection.pk}/", {"action": "conduct"}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == "conducted"
    assert Miss.objects.filter(kind="visit_not_confirmed", person=cast.first_helper).exists()
    page = text(city.get("/city/"))
    assert "满意度（督导检查和电话调查，1户）" in page and re.search(r'data-label="城港路街道" data-value="0"', page)
    refused = city.post(f"/inspections/{inspection.pk}/", {"action": "close", "summary": ""})
    assert refused.status_code == 422 and "请填写检查结论" in text(refused)


def test_inspections_are_the_city_offices(cast):
    assert signed_in(cast, "town_office").get("/inspections/").status_code == 403
