"""S6, S11, S14 quarterly reports: compiled from the records with no typing, attested by each second helper,
submitted (or overridden with a reason), approved or returned; a returned report reopens for named villages
and shows what changed since the last submission."""

import datetime as dt

import pytest

from backend.common.errors import ValidationFailed
from backend.fieldwork.models import Visit
from notifications.models import Notification
from tests.factories import HouseholdFactory, PersonFactory, VillageFactory
from workflows.accountability.models import Miss
from workflows.deliveries.models import Delivery, DeliveryCampaign
from workflows.pairings import services as pairings
from workflows.reporting import services
from workflows.reporting.models import ReportLine, quarter_bounds, quarter_label


def visit(pairing, helper, role, channel, day, voided=False):
    return Visit.objects.create(tenant=pairing.tenant, pairing=pairing, helper=helper, role=role, channel=channel,
                                occurred_on=day, voided=voided, voided_at=dt.datetime(2018, 4, 1, tzinfo=dt.UTC) if voided else None)


def test_quarters_and_their_due_dates_come_from_the_policy(world):
    assert quarter_bounds(2018, 1) == (dt.date(2018, 1, 1), dt.date(2018, 3, 31))
    assert quarter_bounds(2018, 4) == (dt.date(2018, 10, 1), dt.date(2018, 12, 31))
    assert quarter_label(2018, 2) == "2018年第二季度"
    assert services.due_on(world.cast.tenant, 2018, 2) == dt.date(2018, 7, 10)
    from backend.tenancy.models import Policy

    Policy.objects.create(tenant=world.cast.tenant, quarterly_report_due_days=15, effective_from=dt.date(2018, 6, 1))
    assert services.due_on(world.cast.tenant, 2018, 2) == dt.date(2018, 7, 15)


def test_s14_compile_counts_each_pairings_quarter_from_the_records(world):
    cast = world.cast
    p = world.pairing()
    first, second = cast.first_helper, cast.second_helper
    for day in (dt.date(2018, 3, 22), dt.date(2018, 3, 30)):
        visit(p, first, "first", "in_person", day)
    visit(p, first, "first", "in_person", dt.date(2018, 4, 2))  # next quarter
    visit(p, first, "first", "in_person", dt.date(2018, 3, 28), voided=True)  # voided: not counted
    visit(p, first, "first", "phone", dt.date(2018, 3, 25))
    visit(p, second, "second", "in_person", dt.date(2018, 3, 23))
    Miss.objects.create(tenant=cast.tenant, key="m1", kind="call", year=2018, pairing=p, person=first, role="first",
                        window_start=dt.date(2018, 3, 1), window_end=dt.date(2018, 3, 31),
                        policy_version=cast.policy.version)
    spring = DeliveryCampaign.objects.create(tenant=cast.tenant, year=2018, festival="chunjie",
                                             festival_on=dt.date(2018, 2, 16), starts_on=dt.date(2018, 2, 1),
                                             deliver_by=dt.date(2018, 2, 14), goods="米面油", budget=100000)
    Delivery.objects.create(tenant=cast.tenant, campaign=spring, pairing=p, household=p.household, helper=first,
                            delivered_on=dt.date(2018, 3, 23), receipt_sign_method="signature",
                            receipt_signature=b"png")
    ended = pairings.assign(actor=world.actor("town_office"), household=HouseholdFactory(village=cast.village),
                            first_helper=world.first_helper(), second_helper=second, on=dt.date(2017, 11, 1))
    pairings.end(actor=world.actor("town_office"), pairing=ended, on=dt.date(2017, 12, 31), reason_code="term_over")
    response = world.client("town_office").post("/api/v1/quarterly-reports/",
                                                 {"town": cast.town.pk, "year": 2018, "quarter": 1}, format="json")
    assert response.status_code == 201 and response.json()["due_on"] == "2018-04-10"
    rid = response.json()["id"]
    compiled = world.client("town_office").post(f"/api/v1/quarterly-reports/{rid}/compile/", {}, format="json").json()
    assert compiled["state"] == "compiled"
    [line] = compiled["lines"]  # the pairing ended in 2017 is not in the quarter
    assert (line["first_visits"], line["first_calls"], line["second_visits"], line["misses"], line["deliveries"]) == (
        2, 1, 1, 1, 1)
    assert line["first_visit_dates"] == ["2018-03-22", "2018-03-30"]
    assert compiled["missing_attestations"] == [{"id": second.pk, "name": "王芳"}]


def test_s6_submit_waits_for_every_second_helper_unless_overridden(world):
    report = world.report("compiled")
    town = world.actor("town_office")
    with pytest.raises(ValidationFailed, match="尚有1名第二帮扶责任人未确认季度考勤：王芳"):
        services.submit(actor=town, report=report)
    services.submit(actor=town, report=report, override_reason="王芳参加市里培训，先行报送")
    report.refresh_from_db()
    assert report.state == "submitted" and report.override_reason == "王芳参加市里培训，先行报送"
    assert report.submissions.get().attested_by == []


def test_s6_only_the_supervising_second_helper_attests(world):
    report = world.report("compiled")
    stranger_login = world.client("first_helper")
    assert stranger_login.post(f"/api/v1/quarterly-reports/{report.pk}/attest/", {}, format="json").status_code == 403
    ok = world.client("second_helper").post(f"/api/v1/quarterly-reports/{report.pk}/attest/",
                                            {"note": "已核对正卡记录"}, format="json").json()
    assert ok["attestations"][0]["note"] == "已核对正卡记录" and ok["missing_attestations"] == []
    services.submit(actor=world.actor("town_office"), report=report)
    report.refresh_from_db()
    assert report.override_reason == "" and not report.late


def test_s11_late_submission_is_marked(world):
    report = world.report("compiled")
    world.travel_to(dt.date(2018, 4, 11))
    services.submit(actor=world.actor("town_office"), report=report, override_reason="补报")
    report.refresh_from_db()
    assert report.late


def test_s11_return_notifies_the_town_and_reopens_only_named_villages_showing_changes(world):
    cast = world.cast
    p = world.pairing()
    east = VillageFactory(tenant=cast.tenant, town=cast.town, name="东村")
    other_second = PersonFactory(organisation=cast.town, helper_category="town_cadre", name="陈刚")
    q = pairings.assign(actor=world.actor("town_office"), household=HouseholdFactory(village=east),
                        first_helper=world.first_helper(), second_helper=other_second, on=dt.date(2018, 3, 19))
    town, city = world.actor("town_office"), world.actor("city_office")
    report = services.open_report(actor=town, town=cast.town, year=2018, quarter=1)
    services.compile_report(actor=town, report=report)
    services.submit(actor=town, report=report, override_reason="先行报送")
    response = world.client("city_office").post(f"/api/v1/quarterly-reports/{report.pk}/return/",
                                                {"reason": "西关村张德福户走访漏报"}, format="json")
    assert response.json()["state"] == "returned"
    note = Notification.objects.get(kind="report_returned", user=cast.users["town_office"])
    assert "2018年第一季度" in note.body and "走访漏报" in note.body
    # The missing visits are entered late; both villages now have new records, only 西关村 is reopened.
    visit(p, cast.first_helper, "first", "in_person", dt.date(2018, 3, 27))
    visit(q, q.first_helper, "first", "in_person", dt.date(2018, 3, 27))
    reopened = world.client("town_office").post(f"/api/v1/quarterly-reports/{report.pk}/reopen/",
                                                {"villages": [cast.village.pk], "reason": "补录走访"},
                                                format="json").json()
    assert reopened["state"] == "compiled" and reopened["reopened_villages"] == [cast.village.pk]
    lines = {line.pairing_id: line.first_visits for line in ReportLine.objects.filter(report=report)}
    assert lines == {p.pk: 1, q.pk: 0}
    changes = world.client("town_office").get(f"/api/v1/quarterly-reports/{report.pk}/changes/").json()["changes"]
    assert changes == [{"pairing": p.pk, "change": "changed", "fields": {
        "first_visits": {"before": 0, "after": 1}, "first_visit_dates": {"before": [], "after": ["2018-03-27"]}}}]
    # Compiling again while reopened still touches the named villages only.
    report.refresh_from_db()
    services.compile_report(actor=town, report=report)
    assert ReportLine.objects.get(report=report, pairing=q).first_visits == 0
    services.submit(actor=town, report=report, override_reason="先行报送")
    services.approve(actor=city, report=report)
    report.refresh_from_db()
    assert (report.state, report.revision) == ("approved", 2)
    assert services.changes(report) == changes
    with pytest.raises(ValidationFailed, match="东关村不属于城港路街道"):
        services.reopen(actor=town, report=report, villages=[world.village2])


def test_s11_towns_overdue_after_the_due_date(world):
    from workflows.reporting.selectors import overdue_towns

    tenant = world.cast.tenant
    assert overdue_towns(tenant, year=2018, quarter=1, as_of=dt.date(2018, 4, 10)) == []
    assert overdue_towns(tenant, year=2018, quarter=1, as_of=dt.date(2018, 4, 11)) == [world.cast.town, world.town2]
    world.report("returned")
    assert overdue_towns(tenant, year=2018, quarter=1, as_of=dt.date(2018, 4, 11)) == [world.town2]
