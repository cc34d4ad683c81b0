"""S17 level 3 input: units whose helper's household was found 不满意 in a conducted inspection of the year."""

import datetime as dt

from workflows.inspections.models import Finding, Inspection
from workflows.inspections.selectors import dissatisfied_units


def _inspection(cast, *, state, conducted_on):
    return Inspection.objects.create(tenant=cast.tenant, kind="phone", title="电话调查", planned_on=dt.date(2018, 3, 26),
                                     method="chosen", sample_size=1, state=state, conducted_on=conducted_on)


def _finding(inspection, pairing, satisfaction):
    return Finding.objects.create(tenant=inspection.tenant, inspection=inspection, household=pairing.household,
                                  pairing=pairing, helper=pairing.first_helper, unit=pairing.first_helper.organisation,
                                  town=pairing.household.village.town, contacted=True, satisfaction=satisfaction)


def test_s17_dissatisfied_units_counts_only_conducted_inspections_of_the_year(cast, other, pairing):
    planned = _inspection(cast, state="planned", conducted_on=None)
    _finding(planned, pairing, "dissatisfied")
    assert dissatisfied_units(cast.tenant, 2018) == set()
    conducted = _inspection(cast, state="conducted", conducted_on=dt.date(2018, 3, 30))
    _finding(conducted, pairing, "basically_satisfied")
    assert dissatisfied_units(cast.tenant, 2018) == set()
    closed = _inspection(cast, state="closed", conducted_on=dt.date(2018, 3, 31))
    _finding(closed, pairing, "dissatisfied")
    assert dissatisfied_units(cast.tenant, 2018) == {cast.unit.pk}
    assert dissatisfied_units(cast.tenant, 2019) == set()
    assert dissatisfied_units(other.tenant, 2018) == set()
