"""S17, per calendar year: a first helper's 1st counting miss → level 1, the 2nd → level 2; a unit with
Policy.ladder_unit_misses misses among its helpers → one level 3; withdrawn misses do not count."""

from __future__ import annotations

from backend.fieldwork.models import Channel
from workflows.accountability import services as accountability
from workflows.accountability.models import Escalation, Miss

from .conftest import D, enforce, helper_of, keep_up, new_policy, paired

SKIP_MAY = (("first", Channel.IN_PERSON, 5),)
SKIP_MAY_JULY = SKIP_MAY + (("first", Channel.IN_PERSON, 7),)


def steps(cast):
    return sorted((e.level, e.person.name if e.person_id else e.organisation.name, e.misses.count())
                  for e in Escalation.objects.filter(tenant=cast.tenant).exclude(state="withdrawn"))


def test_s17_first_miss_level_1_second_miss_level_2(cast):
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=SKIP_MAY_JULY)
    run = enforce(cast, D(2018, 7, 6))
    assert steps(cast) == [(1, "李明", 1)] and run.counts["escalations"] == 1
    level1 = Escalation.objects.get()
    assert (level1.year, level1.organisation, level1.loses_award_eligibility) == (2018, cast.unit, False)
    assert "2018年第1次未按要求履职" in level1.reason
    assert enforce(cast, D(2018, 8, 1)).counts["escalations"] == 0
    enforce(cast, D(2018, 9, 6))
    assert steps(cast) == [(1, "李明", 1), (2, "李明", 2)]
    assert Escalation.objects.get(level=2).loses_award_eligibility


def test_s17_three_misses_in_one_unit_give_one_level_3(cast):
    from tests.factories import OrganisationFactory

    first, second, third = (paired(cast, first=helper_of(cast, name)) for name in ("甲", "乙", "丙"))
    elsewhere = paired(cast, first=helper_of(cast, "丁", unit=OrganisationFactory(tenant=cast.tenant)))
    for p in (first, second, elsewhere):
        keep_up(p, skip=SKIP_MAY)
    keep_up(third, skip=(("first", Channel.IN_PERSON, 7),))
    enforce(cast, D(2018, 7, 6))  # three misses, but one is another unit's
    assert [s[0] for s in steps(cast)] == [1, 1, 1]
    enforce(cast, D(2018, 9, 6))
    assert [s[0] for s in steps(cast)] == [1, 1, 1, 1, 3]
    level3 = Escalation.objects.get(level=3)
    assert level3.organisation == cast.unit and level3.person is None and level3.misses.count() == 3
    assert "3人次" in level3.reason
    keep_up(paired(cast, first=helper_of(cast, "戊")), skip=(("first", Channel.IN_PERSON, 9),))
    enforce(cast, D(2018, 11, 6))  # a fourth miss: still one level-3 step for the year
    assert Escalation.objects.filter(level=3).count() == 1


def test_s17_withdrawn_misses_do_not_count(cast):
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=SKIP_MAY_JULY)
    enforce(cast, D(2018, 7, 6))
    accountability.withdraw(actor=cast.actor("city_office"), escalation=Escalation.objects.get(),
                            evidence="走访记录因系统故障未同步，已补录核实")
    assert Miss.objects.counting().count() == 0
    assert enforce(cast, D(2018, 7, 7)).counts["escalations"] == 0
    enforce(cast, D(2018, 9, 6))  # July–August: now the first counting miss of the year
    assert steps(cast) == [(1, "李明", 1)]


def test_s17_the_ladder_restarts_each_calendar_year(cast):
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 11),))
    enforce(cast, D(2019, 1, 6))  # November–December 2018, judged in January 2019
    assert [(e.level, e.year) for e in Escalation.objects.all()] == [(1, 2018)]


def test_s17_phone_misses_climb_only_when_the_policy_says_so(cast):
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=(("first", Channel.PHONE, 4),))
    enforce(cast, D(2018, 5, 6))
    assert steps(cast) == []
    new_policy(cast, ladder_counts_phone_misses=True)
    q = paired(cast)
    keep_up(q, skip=(("first", Channel.PHONE, 6),))
    enforce(cast, D(2018, 7, 6))
    assert [s[1] for s in steps(cast)] == [q.first_helper.name]


def test_s17_thresholds_come_from_the_policy(cast):
    new_policy(cast, ladder_level1_misses=2, ladder_level2_misses=3)
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=SKIP_MAY_JULY)
    enforce(cast, D(2018, 7, 6))
    assert steps(cast) == []
    enforce(cast, D(2018, 9, 6))
    assert steps(cast) == [(1, "李明", 2)]


def test_s17_a_household_found_dissatisfied_gives_its_unit_one_level_3(cast):
    from backend.fieldwork.models import Satisfaction
    from workflows.inspections.models import Finding, Inspection, InspectionState

    p = paired(cast, first=cast.first_helper)
    keep_up(p)
    inspection = Inspection.objects.create(tenant=cast.tenant, kind="on_site", title="回头看", planned_on=D(2018, 6, 1),
                                           conducted_on=D(2018, 6, 2), method="chosen", sample_size=1,
                                           state=InspectionState.CONDUCTED)
    Finding.objects.create(tenant=cast.tenant, inspection=inspection, household=p.household, pairing=p,
                           helper=p.first_helper, unit=cast.unit, town=cast.town, contacted=True,
                           satisfaction=Satisfaction.DISSATISFIED)
    run = enforce(cast, D(2018, 6, 3))
    level3 = Escalation.objects.get(level=3)
    assert (level3.organisation, level3.year, run.counts["escalations"]) == (cast.unit, 2018, 1)
    assert "不满意" in level3.reason and level3.misses.count() == 0
    enforce(cast, D(2018, 6, 4))
    assert Escalation.objects.count() == 1
    assert enforce(cast, D(2019, 1, 2)).counts["escalations"] == 0  # an inspection of 2018 does not count in 2019
