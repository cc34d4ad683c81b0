"""S8, S14: the city dashboard charts visit compliance from the engine's windows over the recorded visits."""

import datetime as dt
import re

from tests.conftest import PAIRED_ON
from tests.fieldwork.conftest import at_noon, visit_body
from workflows.pairings import services as pairings

from .helpers import signed_in


def test_s8_city_dashboard_shows_visit_compliance_by_town_and_unit(cast):
    office = cast.actor("town_office")
    pairing = pairings.assign(actor=office, household=cast.household, first_helper=cast.first_helper,
                              second_helper=cast.second_helper, on=PAIRED_ON)
    pairings.activate(actor=office, pairing=pairing, met_on=dt.date(2018, 3, 22))
    with at_noon(dt.date(2018, 5, 10)):
        response = cast.client("first_helper").post("/api/v1/visits/", visit_body(pairing, dt.date(2018, 5, 8)),
                                                    format="json")
        assert response.status_code == 201, response.json()
    with at_noon(dt.date(2018, 7, 10)):
        page = re.sub(r"\s+", " ", signed_in(cast, "city_office").get("/city/").content.decode())
    # Judged by 07-10: first helper in person May–Jun (met), phone Apr/May/Jun (May met by the visit),
    # second helper in person Apr/May/Jun (none): 2 of 7 for the town, 2 of 4 for the unit's first helper.
    assert "各镇街走访履职率（2018年已核查考核期，全市28.6%）" in page
    unit_chart = page.split("各部门单位第一帮扶责任人走访履职率")[1].split("</section>")[0]
    assert cast.unit.name in unit_chart and "50.0" in unit_chart
