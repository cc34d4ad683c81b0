"""SPEC §6 (engine side): reminders N days before each due date (Policy.reminder_days), once per thing due,
as notification rows with de-duplication keys; warnings on new misses to the helper and the town office."""

from __future__ import annotations

from backend.fieldwork.models import Channel
from notifications.models import Notification
from tests.factories import OrganisationFactory, QuotaFactory
from workflows.accountability.models import Miss

from .conftest import D, contact, enforce, keep_up, new_policy, paired


def test_visit_due_seven_days_before_the_window_ends_for_helpers_without_a_visit(cast):
    slack = paired(cast, first=cast.first_helper)
    busy = paired(cast)
    contact(busy, D(2018, 5, 9))
    contact(busy, D(2018, 6, 2), role="second")
    contact(slack, D(2018, 6, 2), role="second")
    assert enforce(cast, D(2018, 6, 22)).counts["reminders"] == 0
    run = enforce(cast, D(2018, 6, 23))
    due = Notification.objects.filter(kind="visit_due")
    assert set(due.values_list("key", flat=True)) == {
        f"visit_due:pairing={slack.pk}:role=first:2018-05-01..2018-06-30|user:{cast.users['first_helper'].pk}"}
    message = due.get()
    assert message.params["days_left"] == "7" and message.params["channel_label"] == "入户走访"
    assert message.params["household_name"] == slack.household.head_name and "6月30日" in message.params["due_on"]
    assert run.counts["reminders"] == 1
    assert enforce(cast, D(2018, 6, 24)).counts["reminders"] == 0
    assert Notification.objects.filter(kind="visit_due").count() == 1


def test_call_due_three_days_before_the_month_ends_and_a_visit_is_the_months_contact(cast):
    called = paired(cast)
    visited = paired(cast)
    silent = paired(cast)
    contact(called, D(2018, 4, 3), channel=Channel.PHONE)
    contact(visited, D(2018, 4, 5))
    enforce(cast, D(2018, 4, 27))
    reminded = set(Notification.objects.filter(kind="call_due").values_list("object_id", flat=True))
    assert reminded == {silent.pk}


def test_second_helpers_are_reminded_of_their_monthly_visit(cast):
    p = paired(cast)
    enforce(cast, D(2018, 4, 23))
    second = Notification.objects.filter(kind="visit_due", key__contains=f"pairing={p.pk}:role=second:2018-04-01")
    assert second.get().params["helper_name"] == cast.second_helper.name


def test_reminder_days_come_from_the_policy(cast):
    new_policy(cast, reminder_days={"visit": 10, "call": 1, "roster": 3, "report": 5})
    p = paired(cast)
    enforce(cast, D(2018, 6, 20))
    assert Notification.objects.filter(kind="visit_due", object_id=p.pk).count() == 2  # first and second helper
    enforce(cast, D(2018, 6, 28))
    assert not Notification.objects.filter(kind="call_due").exists()
    enforce(cast, D(2018, 6, 29))
    assert Notification.objects.filter(kind="call_due").count() == 1


def test_roster_due_three_days_before_the_cutoff_to_units_that_have_not_submitted(cast):
    QuotaFactory(unit=cast.unit, town=OrganisationFactory(tenant=cast.tenant, kind="town", name="永安路街道",
                                                          code="370683005"), count=2)
    enforce(cast, D(2018, 3, 17))
    assert not Notification.objects.filter(kind="roster_due").exists()
    enforce(cast, D(2018, 3, 18))
    message = Notification.objects.get(kind="roster_due")
    assert message.user == cast.users["unit_liaison"]
    assert (message.params["town_name"], message.params["quota"], message.params["days_left"]) == ("永安路街道", "2", "3")


def test_miss_warnings_go_to_the_helper_and_the_town_office_once(cast):
    p = paired(cast, first=cast.first_helper)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5),))
    enforce(cast, D(2018, 7, 6))
    miss = Miss.objects.get(kind="visit")
    warnings = Notification.objects.filter(kind="miss_recorded")
    assert {n.user for n in warnings if n.user} == {cast.users["first_helper"], cast.users["town_office"]}
    helper = warnings.get(user=cast.users["first_helper"])
    assert helper.key == f"miss:{miss.key}|user:{cast.users['first_helper'].pk}"
    assert helper.params["window_label"] == "2018年5月—6月" and helper.params["kind_label"] == "未按要求入户走访"
    count = warnings.count()
    enforce(cast, D(2018, 7, 7))
    assert Notification.objects.filter(kind="miss_recorded").count() == count
