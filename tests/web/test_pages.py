"""Pages on the foundation: home (what is due), pairing board, unit helpers, city dashboard, inbox."""

from __future__ import annotations

import re

import pytest

from backend.directory.models import HelperCategory
from tests.factories import HouseholdFactory, PersonFactory, put_on_roster
from workflows.pairings import services
from workflows.pairings.models import Pairing

from .helpers import current_policy, signed_in, text, today


@pytest.fixture
def policy(cast):
    return current_policy(cast)



def test_home_shows_counts_and_deadlines_with_days_left(cast, policy):
    HouseholdFactory(village=cast.village, head_name="赵四")
    page = text(signed_in(cast, "town_office").get("/"))
    assert "尚未安排帮扶责任人的贫困户" in page
    assert re.search(r"<strong>2</strong><span>尚未安排帮扶责任人的贫困户", page)
    cutoff = policy.roster_cutoff
    assert f"{cutoff.year}年{cutoff.month}月{cutoff.day}日" in page and "还剩5天" in page
    assert "还剩9天" in page  # the in-place cutoff, since households still wait for helpers


def test_home_of_a_helper_shows_their_households(cast, policy):
    services.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                    second_helper=cast.second_helper, on=today(cast.tenant))
    page = text(signed_in(cast, "first_helper").get("/"))
    assert re.search(r"<strong>1</strong><span>帮扶户", page)
    assert "首次入户见面（到位）截止" in page and "还剩9天" in page


def test_s2_s3_pairing_board_lists_candidates_and_marks_reserve_cadres(cast, policy):
    page = text(signed_in(cast, "town_office").get("/town/pairing/"))
    assert "张德福" in page  # the cast's household, not yet paired
    assert "李明" in page and "★后备干部" in page  # the cast's first helper is a reserve cadre
    assert "王芳" in page and f"{policy.second_helper_max_households}户" in page


def test_s2_s3_pairing_board_assigns_in_one_post(cast, policy):
    client = signed_in(cast, "town_office")
    response = client.post("/town/pairing/assign/", {"household": cast.household.pk,
                                                     "first_helper": cast.first_helper.pk,
                                                     "second_helper": cast.second_helper.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = text(response)
    assert "已为张德福户安排帮扶责任人" in page
    pairing = Pairing.objects.get(household=cast.household)
    assert pairing.first_helper == cast.first_helper and pairing.state == "proposed"
    assert f'data-household="{cast.household.pk}"' not in page  # gone from the unpaired list
    assert f'data-pairing="{pairing.pk}"' in page  # now waiting for the first meeting


def test_s3_capacity_error_is_shown_next_to_the_field(cast):
    current_policy(cast, second_helper_max_households=1)
    town_office = cast.actor("town_office")
    other_first = PersonFactory(organisation=cast.unit, helper_category=HelperCategory.CITY_AGENCY)
    put_on_roster(other_first, cast.town)
    services.assign(actor=town_office, household=HouseholdFactory(village=cast.village), first_helper=other_first,
                    second_helper=cast.second_helper, on=today(cast.tenant))
    response = signed_in(cast, "town_office").post(
        "/town/pairing/assign/", {"household": cast.household.pk, "first_helper": cast.first_helper.pk,
                                  "second_helper": cast.second_helper.pk}, HTTP_HX_REQUEST="true")
    page = text(response)
    field = re.search(r'<div class="field invalid">\s*<label for="id_second_helper">.*?</div>', page)
    assert field and "已达上限1户" in field.group(0)
    assert not Pairing.objects.filter(household=cast.household).exists()


def test_s10_pairing_board_records_the_first_meeting(cast, policy):
    pairing = services.assign(actor=cast.actor("town_office"), household=cast.household,
                              first_helper=cast.first_helper, second_helper=cast.second_helper, on=today(cast.tenant))
    response = signed_in(cast, "town_office").post(
        "/town/pairing/activate/", {"pairing": pairing.pk, "met_on": today(cast.tenant).isoformat()})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == "active" and not pairing.late


def test_pairing_board_of_a_town_office_is_its_own_town_only(cast, other, policy):
    client = signed_in(cast, "town_office")
    page = text(client.get(f"/town/pairing/?town={other.town.pk}"))
    assert f'data-household="{cast.household.pk}"' in page and f'data-household="{other.household.pk}"' not in page
    response = client.post("/town/pairing/assign/", {"household": other.household.pk,
                                                     "first_helper": cast.first_helper.pk,
                                                     "second_helper": cast.second_helper.pk})
    assert response.status_code == 422 and not Pairing.objects.filter(household=other.household).exists()


def test_pairing_board_refuses_other_roles(cast):
    assert signed_in(cast, "first_helper").get("/town/pairing/").status_code == 403
    assert signed_in(cast, "unit_liaison").get("/city/").status_code == 403


def test_unit_liaison_sees_its_helpers_with_their_households(cast, policy):
    services.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                    second_helper=cast.second_helper, on=today(cast.tenant))
    page = text(signed_in(cast, "unit_liaison").get("/unit/helpers/"))
    assert "李明" in page and "张德福" in page and "王芳" in page


def test_city_dashboard_counts_and_charts(cast, other, policy):
    client = signed_in(cast, "city_office")
    before = text(client.get("/city/"))
    assert "<svg" in before and "各镇街到位率" in before
    assert re.search(r'data-total="paired">0<', before)
    services.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                    second_helper=cast.second_helper, on=today(cast.tenant))
    services.assign(actor=other.actor("town_office"), household=other.household, first_helper=other.first_helper,
                    second_helper=other.second_helper)
    after = text(client.get("/city/"))
    assert re.search(r'data-total="paired">1<', after)  # the other tenant's pairing is not counted


def test_inbox_lists_only_the_persons_delivered_messages_and_marks_them_read(cast, other):
    from django.utils import timezone

    from notifications.models import Notification

    def message(c, subject, shown=True):
        return Notification.objects.create(
            tenant=c.tenant, key=f"k-{c.tenant.code}-{subject}", kind="roster_due", user=c.users["unit_liaison"],
            recipient_name="联络员", subject=subject, body="请按时报送。", shown_at=timezone.now() if shown else None)

    mine = message(cast, "名单报送提醒")
    message(cast, "尚未送达的消息", shown=False)
    message(other, "另一租户的消息")
    client = signed_in(cast, "unit_liaison")
    page = text(client.get("/inbox/"))
    assert "名单报送提醒" in page and "1条未读" in page
    assert "尚未送达的消息" not in page and "另一租户的消息" not in page
    assert "名单报送提醒" not in text(signed_in(cast, "town_office").get("/inbox/"))
    assert re.search(r"<strong>1</strong><span>未读消息", text(client.get("/")))
    fragment = text(client.post(f"/inbox/{mine.pk}/read/", HTTP_HX_REQUEST="true"))
    assert "已读" in fragment and "标为已读" not in fragment
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert signed_in(cast, "town_office").post(f"/inbox/{mine.pk}/read/").status_code == 404


def test_sec6_message_preferences_are_saved_per_person(cast):
    from notifications.models import Preference

    client = signed_in(cast, "first_helper")
    page = text(client.get("/inbox/preferences/"))
    assert "入户走访" in page or "走访" in page
    response = client.post("/inbox/preferences/", {"visit_due:email": "on"})
    assert response.status_code == 302
    prefs = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=cast.users["first_helper"])}
    assert prefs[("visit_due", "email")] is True and prefs[("visit_due", "sms")] is False
    assert prefs[("visit_due", "inbox")] is True


def test_pages_load_nothing_from_outside_the_server(cast, policy):
    client = signed_in(cast, "city_office")
    for url in ("/", "/city/", "/town/pairing/", "/inbox/", "/login/"):
        body = client.get(url).content.decode()
        refs = re.findall(r'(?:src|href|action)\s*=\s*["\']([^"\']+)', body)
        assert refs and all(r.startswith(("/", "?", "#")) for r in refs), (url, refs)


def test_static_assets_are_served_by_the_application(client):
    for path, needle in (("/static/web/vendor/htmx/htmx.min.js", b"htmx"), ("/static/web/app.css", b"--red"),
                         ("/static/web/app.js", b"signature")):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert needle in body


def test_city_dashboard_shows_overdue_items_and_household_satisfaction(cast, policy):
    import datetime as dt

    from backend.fieldwork.models import HouseholdFeedback

    current_policy(cast, roster_cutoff=today(cast.tenant) - dt.timedelta(days=1))
    pairing = services.assign(actor=cast.actor("town_office"), household=cast.household, first_helper=cast.first_helper,
                              second_helper=cast.second_helper, on=today(cast.tenant))
    for answer in ("satisfied", "dissatisfied"):
        HouseholdFeedback.objects.create(tenant=cast.tenant, pairing=pairing, kind="satisfaction", satisfaction=answer)
    page = text(signed_in(cast, "city_office").get("/city/"))
    assert re.search(r"<span>逾期未报送的第一帮扶责任人名单</span> <em>1</em>", page)
    assert "莱州市财政局→城港路街道" in page
    assert "满意度（群众扫码反馈）" in page and "data-value=\"50\"" in page


def test_unit_helpers_show_their_escalations(cast, policy):
    from workflows.accountability import services as accountability

    accountability.open_escalation(tenant=cast.tenant, level=2, year=today(cast.tenant).year,
                                   person=cast.first_helper, misses=[], actor=cast.actor("city_office"))
    page = text(signed_in(cast, "unit_liaison").get("/unit/helpers/"))
    assert "取消评先树优资格" in page
