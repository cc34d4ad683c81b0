"""Inbox links (SPEC §6, §9): each message links to the page where its recipient acts on it — and that page
opens for them — or has no link when no page fits or the recipient may not open it (backend/web/links.py)."""

from __future__ import annotations

import re

import pytest

from backend.directory.models import UnitQuota
from backend.tenancy.roles import Role
from notifications import dispatch
from notifications.models import Notification
from notifications.services import notify
from workflows.accountability import services as accountability
from workflows.accountability.models import Miss
from workflows.core import recipients
from workflows.deliveries import services as deliveries
from workflows.inspections.models import Finding, Inspection
from workflows.rosters.models import Roster

from .helpers import active_pairing, signed_in, text, today
from .test_plan_pages import upcoming_festival


@pytest.fixture
def pairing(cast):
    return active_pairing(cast)


def links_in_inbox(client) -> dict[str, list[str]]:
    """kind → the link targets of that kind's messages, as the inbox page shows them."""
    dispatch.sweep()
    found: dict[str, list[str]] = {}
    for href, kind in re.findall(r'<a class="button primary" href="([^"]+)" data-target-kind="([a-z_]+)"',
                                 text(client.get("/inbox/"))):
        found.setdefault(kind, []).append(href.replace("&amp;", "&"))
    return found


def kinds_in_inbox(cast, role: str) -> set[str]:
    user = cast.users[role]
    return set(Notification.objects.filter(user=user, shown_at__isnull=False).values_list("kind", flat=True))


def test_escalation_messages_link_the_unit_to_the_queue_and_not_the_helper(cast, pairing):
    miss = Miss.objects.create(tenant=cast.tenant, key="visit:web:links", kind="visit", year=today(cast.tenant).year,
                               person=cast.first_helper, role="first", organisation=cast.unit, town=cast.town,
                               household=cast.household, pairing=pairing, policy_version=1)
    escalation = accountability.open_escalation(tenant=cast.tenant, level=1, year=miss.year, person=cast.first_helper,
                                                misses=[miss], actor=cast.actor("city_office"))
    city = signed_in(cast, "city_office")
    assert city.post(f"/escalations/{escalation.pk}/issue_notice/").status_code == 302
    prefix = f"e{escalation.pk}-schedule_interview"
    city.post(f"/escalations/{escalation.pk}/schedule_interview/",
              {f"{prefix}-when": "2030-05-06T09:30", f"{prefix}-where": "市扶贫办会议室", f"{prefix}-who": "王主任"})
    liaison = signed_in(cast, "unit_liaison")
    links = links_in_inbox(liaison)
    assert links["escalation_notice"] == ["/escalations/"] and links["interview_scheduled"] == ["/escalations/"]
    page = text(liaison.get("/escalations/"))
    assert f'data-escalation="{escalation.pk}"' in page
    # The helper is told too, but the queue is not a helper's page: the message stands without a link.
    assert {"escalation_notice", "interview_scheduled"} <= kinds_in_inbox(cast, Role.FIRST_HELPER)
    helper_links = links_in_inbox(signed_in(cast, "first_helper"))
    assert "escalation_notice" not in helper_links and "interview_scheduled" not in helper_links
    assert signed_in(cast, "first_helper").get("/escalations/").status_code == 403


def test_income_messages_link_each_helper_to_the_statement(cast, pairing):
    year = today(cast.tenant).year
    first = signed_in(cast, "first_helper")
    first.post(f"/my/{pairing.pk}/income/", {"year": str(year)})
    page = f"/my/{pairing.pk}/income/{year}/"
    first.post(page, {"action": "submit", "household_size": "1", "note": "", "amount-D1": "5000"})
    second = signed_in(cast, "second_helper")
    assert links_in_inbox(second)["income_submitted"] == [page]
    second.post(page, {"action": "return", "return-reason": "工资收入请附单位证明"})
    assert links_in_inbox(first)["income_returned"] == [page]
    assert "工资收入请附单位证明" in text(first.get(page))
    assert "income_submitted" not in links_in_inbox(signed_in(cast, "town_office"))


def test_a_returned_report_links_the_town_to_that_report(cast, pairing):
    now = today(cast.tenant)
    town = signed_in(cast, "town_office")
    town.post("/reports/", {"year": now.year, "quarter": (now.month - 1) // 3 + 1})
    report_pk = re.search(r"/reports/(\d+)/", town.get("/reports/").content.decode()).group(1)
    town.post(f"/reports/{report_pk}/", {"action": "compile"})
    signed_in(cast, "second_helper").post(f"/reports/{report_pk}/", {"action": "attest", "note": "已核对"})
    assert town.post(f"/reports/{report_pk}/", {"action": "submit"}).status_code == 302
    signed_in(cast, "city_office").post(f"/reports/{report_pk}/", {"action": "return", "reason": "请核实走访次数。"})
    links = links_in_inbox(town)
    assert links["report_returned"] == [f"/reports/{report_pk}/"]
    assert "请核实走访次数" in text(town.get(f"/reports/{report_pk}/"))


def test_a_delivery_due_links_the_helper_to_that_delivery(cast, pairing, enqueued):
    year, festival = upcoming_festival(today(cast.tenant))
    city = cast.actor("city_office")
    campaign = deliveries.plan(actor=city, year=year, festival=festival, goods="米、面、油", budget="20000")
    deliveries.start(actor=city, campaign=campaign)
    assert deliveries.remind(campaign=campaign, today=campaign.festival_on) == 1
    delivery = campaign.deliveries.get()
    helper = signed_in(cast, "first_helper")
    links = links_in_inbox(helper)
    assert links["delivery_due"] == [f"/my/{pairing.pk}/deliveries/{delivery.pk}/"]
    assert helper.get(links["delivery_due"][0]).status_code == 200


def test_an_inspection_miss_links_the_helper_to_the_household(cast, pairing):
    now = today(cast.tenant).isoformat()
    city = signed_in(cast, "city_office")
    city.post("/inspections/", {"kind": "phone", "planned_on": now, "method": "chosen",
                                "households": [cast.household.pk]})
    inspection = Inspection.objects.get()
    finding = Finding.objects.get()
    p = f"f{finding.pk}"
    city.post(f"/inspections/{inspection.pk}/", {
        "action": "record", "finding": finding.pk, f"{p}-contacted": "yes", f"{p}-helper_in_place": "yes",
        f"{p}-visits_confirmed": "no", f"{p}-knows_helper_name": "yes", f"{p}-satisfaction": "satisfied"})
    assert city.post(f"/inspections/{inspection.pk}/", {"action": "conduct"}).status_code == 302
    helper = signed_in(cast, "first_helper")
    links = links_in_inbox(helper)
    # The misses page is the offices'; the helper acts on the household's page (log the visits).
    assert links["miss_recorded"] == [f"/my/{pairing.pk}/"]
    assert helper.get(f"/my/{pairing.pk}/").status_code == 200


def test_each_remaining_kind_links_to_its_page_for_its_recipient(cast, pairing, other):
    """The engine's reminders and notices, roster returns: the producers' (kind, object) pairs as they call
    `notify` (workflows/engine/reminders.py, notices.py, rosters/services.py)."""
    tenant, now = cast.tenant, today(cast.tenant)
    helper_to = recipients.for_person(cast.first_helper)
    second_to = recipients.for_person(cast.second_helper)
    unit_to = recipients.for_organisation(cast.unit)
    town_to = recipients.for_organisation(cast.town)
    due = {"due_on": now, "days_left": 3, "channel_label": "入户走访", "helper_name": "李明", "household_name": "张德福"}
    notify(tenant=tenant, recipients=helper_to, kind="visit_due", key="t:visit", obj=pairing, context=due)
    notify(tenant=tenant, recipients=second_to, kind="call_due", key="t:call", obj=pairing, context=due)
    quota = UnitQuota.objects.get(unit=cast.unit, town=cast.town)
    notify(tenant=tenant, recipients=unit_to, kind="roster_due", key="t:roster_due", obj=quota,
           context={"unit_name": "财政局", "town_name": "城港路街道", "due_on": now, "days_left": 5, "quota": 2})
    roster = Roster.objects.get(unit=cast.unit, town=cast.town)
    notify(tenant=tenant, recipients=unit_to, kind="roster_returned", key="t:roster_returned", obj=roster,
           context={"unit_name": "财政局", "town_name": "城港路街道", "reason": "名单有误"})
    notify(tenant=tenant, recipients=town_to, kind="report_due", key="t:report_due", obj=cast.town,
           context={"town_name": "城港路街道", "quarter_label": "第一季度", "due_on": now, "days_left": 5})
    miss = Miss.objects.create(tenant=tenant, key="report_overdue:t", kind="report_overdue", year=now.year,
                               organisation=cast.town, town=cast.town, policy_version=1)
    city_to = recipients.for_organisation(cast.city_office)
    notify(tenant=tenant, recipients=town_to + city_to, kind="report_overdue", key="t:report_overdue", obj=miss,
           context={"town_name": "城港路街道", "quarter_label": "第一季度", "due_on": now})
    roster_miss = Miss.objects.create(tenant=tenant, key="roster_overdue:t", kind="roster_overdue", year=now.year,
                                      organisation=cast.unit, town=cast.town, policy_version=1)
    notify(tenant=tenant, recipients=unit_to, kind="roster_overdue", key="t:roster_overdue", obj=roster_miss,
           context={"unit_name": "财政局", "town_name": "城港路街道", "cutoff": now})
    # Another tenant's object id never becomes a link, whatever the row says.
    notify(tenant=tenant, recipients=unit_to, kind="roster_returned", key="t:foreign", context={
        "unit_name": "财政局", "town_name": "城港路街道", "reason": "外市"},
        obj=Roster.objects.get(unit=other.unit, town=other.town))
    notify(tenant=tenant, recipients=unit_to, kind="generic", key="t:generic",
           context={"subject": "通知", "body": "请注意。"})

    expected = {
        "first_helper": {"visit_due": [f"/my/{pairing.pk}/"]},
        "second_helper": {"call_due": [f"/my/{pairing.pk}/"]},
        "unit_liaison": {"roster_due": ["/unit/rosters/"], "roster_returned": [f"/unit/rosters/{roster.pk}/"],
                         "roster_overdue": ["/unit/rosters/"]},
        "town_office": {"report_due": ["/reports/"], "report_overdue": [f"/misses/?year={now.year}"]},
        "city_office": {"report_overdue": [f"/misses/?year={now.year}"]},
    }
    for role, kinds in expected.items():
        client = signed_in(cast, role)
        links = links_in_inbox(client)
        assert links == kinds, role
        for kind, (url,) in kinds.items():
            assert client.get(url).status_code == 200, (role, kind, url)
    assert "generic" in kinds_in_inbox(cast, Role.UNIT_LIAISON)  # shown, without a link
    misses = text(signed_in(cast, "town_office").get(f"/misses/?year={now.year}"))
    assert f'data-miss="{miss.pk}"' in misses
    # Told of a returned roster, a helper gets no link: the roster page is the liaison's.
    notify(tenant=tenant, recipients=helper_to, kind="roster_returned", key="t:roster_to_helper", obj=roster,
           context={"unit_name": "财政局", "town_name": "城港路街道", "reason": "名单有误"})
    helper_links = links_in_inbox(signed_in(cast, "first_helper"))
    assert "roster_returned" in kinds_in_inbox(cast, Role.FIRST_HELPER) and "roster_returned" not in helper_links
