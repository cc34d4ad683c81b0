"""S10: the roster cutoff (2018-03-21) and the in-place cutoff (2018-03-25) produce overdue and not-in-place
records, judged once, with warnings to whom they concern (SPEC §4 Roster, Pairing)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from notifications.models import Notification
from tests.factories import OrganisationFactory, QuotaFactory
from workflows.accountability.models import Miss, MissKind
from workflows.rosters.models import Roster, RosterState

from .conftest import D, enforce, new_policy, paired

SHANGHAI = ZoneInfo("Asia/Shanghai")


def roster(unit, town, *, submitted: dt.datetime | None, state=RosterState.SUBMITTED):
    QuotaFactory(unit=unit, town=town, count=1)
    return Roster.objects.create(tenant=unit.tenant, unit=unit, town=town, year=2018, cutoff=D(2018, 3, 21),
                                 state=state, submitted_at=submitted)


def test_s10_rosters_not_submitted_by_21_march_are_overdue_from_22_march(cast):
    silent = OrganisationFactory(tenant=cast.tenant, name="市水利局")
    QuotaFactory(unit=silent, town=cast.town, count=3)
    on_time = roster(OrganisationFactory(tenant=cast.tenant), cast.town,
                     submitted=dt.datetime(2018, 3, 21, 23, 30, tzinfo=SHANGHAI))
    late = roster(OrganisationFactory(tenant=cast.tenant), cast.town,
                  submitted=dt.datetime(2018, 3, 22, 0, 30, tzinfo=SHANGHAI))
    drafted = roster(OrganisationFactory(tenant=cast.tenant), cast.town, submitted=None, state=RosterState.DRAFT)
    assert enforce(cast, D(2018, 3, 21)).counts["misses"] == 0
    run = enforce(cast, D(2018, 3, 22))
    overdue = Miss.objects.filter(kind=MissKind.ROSTER_OVERDUE)
    assert set(overdue.values_list("organisation", flat=True)) == {silent.pk, late.unit_id, drafted.unit_id}
    assert on_time.unit_id not in set(overdue.values_list("organisation", flat=True))
    miss = overdue.get(organisation=silent)
    assert (miss.key, miss.town, miss.person, miss.counts_for_ladder) == (
        f"roster_overdue:unit={silent.pk}:town={cast.town.pk}:2018", cast.town, None, False)
    assert (miss.window_start, miss.window_end) == (D(2018, 3, 21), D(2018, 3, 21))
    assert run.counts["misses_roster_overdue"] == 3
    warning = Notification.objects.get(kind="roster_overdue", user=cast.users["city_office"],
                                       key__startswith=f"miss:{miss.key}")
    assert "市水利局" in warning.body and "城港路街道" in warning.body
    assert enforce(cast, D(2018, 3, 23)).counts["misses"] == 0


def test_s10_a_cutoff_on_a_holiday_moves_to_the_next_workday(cast):
    new_policy(cast, roster_cutoff=D(2018, 10, 3))  # National Day week: due on Monday 2018-10-08
    QuotaFactory(unit=OrganisationFactory(tenant=cast.tenant), town=cast.town, count=1)
    enforce(cast, D(2018, 10, 8))
    assert Miss.objects.filter(kind=MissKind.ROSTER_OVERDUE).count() == 0
    enforce(cast, D(2018, 10, 9))
    miss = Miss.objects.get(kind=MissKind.ROSTER_OVERDUE)
    assert (miss.window_start, miss.window_end) == (D(2018, 10, 3), D(2018, 10, 8))
    new_policy(cast, roster_cutoff=D(2018, 10, 3), shift_due_dates_off_holidays=False)
    Miss.objects.all().delete()
    from workflows.engine.models import Batch

    Batch.objects.all().delete()
    enforce(cast, D(2018, 10, 4))
    assert Miss.objects.get(kind=MissKind.ROSTER_OVERDUE).window_end == D(2018, 10, 3)


def test_s10_pairings_not_met_by_25_march_are_not_in_place_from_26_march(cast):
    never = paired(cast, met=None)
    late = paired(cast, met=D(2018, 3, 27))
    on_time = paired(cast, met=D(2018, 3, 25))
    after_cutoff = paired(cast, proposed=D(2018, 4, 2), met=None)  # proposed later: no such cutoff
    assert enforce(cast, D(2018, 3, 25)).counts["misses"] == 0
    run = enforce(cast, D(2018, 3, 26))
    missed = Miss.objects.filter(kind=MissKind.NOT_IN_PLACE)
    assert set(missed.values_list("pairing", flat=True)) == {never.pk, late.pk}
    assert on_time.pk not in set(missed.values_list("pairing", flat=True))
    assert after_cutoff.pk not in set(missed.values_list("pairing", flat=True))
    miss = missed.get(pairing=never)
    assert (miss.person, miss.organisation, miss.town, miss.counts_for_ladder) == (
        never.first_helper, cast.unit, cast.town, False)
    assert miss.evidence["cutoff"] == "2018-03-25" and run.counts["misses_not_in_place"] == 2
    assert Notification.objects.filter(kind="miss_recorded", user=cast.users["town_office"]).count() == 2
    assert enforce(cast, D(2018, 3, 27)).counts["misses"] == 0


def file_report(town, year: int, quarter: int, at: dt.datetime, *, state=None):
    from workflows.reporting.models import QuarterlyReport, ReportState, Submission
    from workflows.reporting.services import due_on

    report = QuarterlyReport.objects.create(tenant=town.tenant, town=town, year=year, quarter=quarter,
                                            due_on=due_on(town.tenant, year, quarter),
                                            state=state or ReportState.SUBMITTED, submitted_at=at, revision=1)
    Submission.objects.create(tenant=town.tenant, report=report, revision=1, submitted_at=at, lines={})


def test_s6_quarterly_reports_not_filed_by_their_due_date_are_overdue(cast):
    from workflows.reporting.models import ReportState

    paired(cast)
    filed, returned, late = (OrganisationFactory(tenant=cast.tenant, kind="town", code=f"37068300{i}",
                                                 name=f"{name}街道") for i, name in enumerate("甲乙丙", 5))
    for town in (filed, returned):
        file_report(town, 2018, 2, dt.datetime(2018, 7, 10, 17, tzinfo=SHANGHAI),
                    state=ReportState.RETURNED if town is returned else None)
    file_report(late, 2018, 2, dt.datetime(2018, 7, 11, 9, tzinfo=SHANGHAI))
    for town in (cast.town, filed, returned, late):
        file_report(town, 2018, 1, dt.datetime(2018, 4, 9, 9, tzinfo=SHANGHAI))
    enforce(cast, D(2018, 7, 5))
    from workflows.engine.models import Batch

    # Five days ahead, to the towns that have not filed yet (all four; only the cast's town has a login).
    assert Batch.objects.get(step="remind_report").judged == 4
    reminder = Notification.objects.get(kind="report_due")
    assert (reminder.user, reminder.params["quarter_label"]) == (cast.users["town_office"], "2018年第二季度")
    assert enforce(cast, D(2018, 7, 10)).counts.get("misses_report_overdue", 0) == 0
    run = enforce(cast, D(2018, 7, 11))
    overdue = Miss.objects.filter(kind=MissKind.REPORT_OVERDUE)
    assert set(overdue.values_list("town", flat=True)) == {cast.town.pk, late.pk}
    miss = overdue.get(town=cast.town)
    assert (miss.key, miss.organisation, miss.window_end, miss.counts_for_ladder) == (
        f"report_overdue:town={cast.town.pk}:2018Q2", cast.town, D(2018, 7, 10), False)
    assert run.counts["misses_report_overdue"] == 2
    warning = Notification.objects.get(kind="report_overdue", user=cast.users["city_office"],
                                       key__startswith=f"miss:{miss.key}")
    assert "2018年第二季度" in warning.body


def test_s6_a_report_due_on_a_holiday_is_due_on_the_next_workday(cast):
    new_policy(cast, quarterly_report_due_days=1)  # the third quarter's report falls due on National Day
    paired(cast)
    for quarter in (1, 2):
        file_report(cast.town, 2018, quarter, dt.datetime(2018, 3 * quarter, 30, 9, tzinfo=SHANGHAI))
    enforce(cast, D(2018, 10, 8))
    assert not Miss.objects.filter(kind=MissKind.REPORT_OVERDUE).exists()
    enforce(cast, D(2018, 10, 9))
    assert Miss.objects.get(kind=MissKind.REPORT_OVERDUE).window_end == D(2018, 10, 8)
