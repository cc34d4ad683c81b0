"""Real-browser tests (Chromium through Playwright): the pages work with their own assets only, on a desk
screen and on a phone, and every page visited is kept as a screenshot under artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from workflows.pairings.models import Pairing

from .conftest import OutsideRequests
from .helpers import current_policy

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_guard_blocks_and_reports_requests_outside_the_server(open_session):
    session = open_session()
    session.go("/login/")
    session.page.evaluate("""() => { const img = document.createElement('img');
        img.src = 'http://cdn.example.invalid/logo.png'; document.body.appendChild(img); }""")
    session.page.wait_for_timeout(300)
    assert session.guard.outside == ["http://cdn.example.invalid/logo.png"]
    with pytest.raises(OutsideRequests):
        session.guard.check()
    session.guard.outside.clear()  # proven; let the teardown check pass


def test_s10_unit_submits_a_roster_the_town_accepts_and_pairs_and_the_city_dashboard_changes(cast, open_session):
    from backend.directory.models import HelperCategory
    from tests.factories import PersonFactory

    current_policy(cast)
    zhao = PersonFactory(organisation=cast.unit, name="赵强", helper_category=HelperCategory.CITY_AGENCY,
                         reserve_cadre=True)
    qian = PersonFactory(organisation=cast.unit, name="钱亮", helper_category=HelperCategory.CITY_AGENCY)

    city = open_session()
    city.sign_in("370683-city_office")
    city.shot("city-home")
    city.go("/city/")
    assert city.page.inner_text('[data-total="paired"]') == "0"
    city.shot("city-dashboard-before")

    # The unit liaison fills the roster for the town and submits it against the quota of 2.
    unit = open_session()
    unit.sign_in("370683-unit_liaison")
    unit.shot("unit-home")
    page = unit.go("/unit/rosters/")
    unit.shot("unit-rosters")
    page.click(f'tr[data-town="{cast.town.code}"] button')
    page.wait_for_selector("#roster-form")
    page.check(f"#person-{zhao.pk}")
    unit.shot("unit-roster-draft")
    page.click("button[value=submit]")
    page.wait_for_selector("text=名单人数为1人")  # one short of the quota: refused, named both numbers
    assert "的2人不一致" in page.inner_text(".form-errors")
    unit.shot("unit-roster-count-error")
    assert page.is_checked(f"#person-{zhao.pk}")
    page.check(f"#person-{qian.pk}")
    page.click("button[value=submit]")
    page.wait_for_selector('#roster-status[data-state="submitted"]')
    assert "报送（草稿 → 已报送）" in page.inner_text("#history")
    unit.shot("unit-roster-submitted")
    unit.go("/unit/helpers/")
    unit.shot("unit-helpers")

    # The town office accepts it; the two are now first helpers it may pair.
    town = open_session()
    town.sign_in("370683-town_office")
    assert "尚未安排帮扶责任人的贫困户" in town.page.inner_text("main")
    town.shot("town-home")
    page = town.go("/town/rosters/")
    town.shot("town-rosters")
    page.click("section.roster[data-state=submitted] button[value=accept]")
    page.wait_for_selector("text=名单人员可安排为第一帮扶责任人")
    town.shot("town-rosters-accepted")
    page = town.go("/town/pairing/")
    assert "赵强" in page.inner_text("#first-helpers") and "★后备干部" in page.inner_text("#first-helpers")
    town.shot("pairing-board")
    page.click(f'#unpaired [data-pick="id_household"][data-value="{cast.household.pk}"]')
    page.click(f'#first-helpers [data-value="{zhao.pk}"]')
    page.click(f'#second-helpers [data-value="{cast.second_helper.pk}"]')
    page.click("#board button.primary")
    page.wait_for_selector("text=已为张德福户安排帮扶责任人")
    assert page.locator(f'#unpaired tr[data-household="{cast.household.pk}"]').count() == 0
    town.shot("pairing-board-assigned")
    pairing = Pairing.objects.get(household=cast.household)
    assert pairing.first_helper == zhao

    # The first meeting recorded from the same board makes the pairing active (in place).
    page.click(f'li[data-pairing="{pairing.pk}"] button[type=submit]')
    page.wait_for_selector("text=已确认张德福户的帮扶责任人到位")
    town.shot("pairing-board-in-place")
    pairing.refresh_from_db()
    assert pairing.state == "active"

    city.page.reload()
    assert city.page.inner_text('[data-total="paired"]') == "1"
    assert city.page.inner_text('[data-total="active"]') == "1"
    row = city.page.locator(f'#town-table tr[data-town="{cast.town.code}"]')
    assert row.locator('[data-col="active"]').inner_text() == "1"
    city.shot("city-dashboard-after")
    city.go("/leadership/units/")
    city.shot("unit-scorecards")
    city.go("/misses/")
    city.shot("misses")
    town.go(f"/disclosure/{cast.tenant.code}/{cast.village.code}/")
    assert "张*福" in town.page.inner_text("#disclosure")
    town.shot("village-disclosure")


def draw_signature(page, pad: str) -> None:
    """Sign with a few strokes, as a finger would, inside the pad's canvas."""
    page.locator(f"#{pad} canvas").scroll_into_view_if_needed()
    box = page.locator(f"#{pad} canvas").bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for row in (0.35, 0.6):
        page.mouse.move(x + w * 0.15, y + h * row)
        page.mouse.down()
        for step in range(1, 13):
            page.mouse.move(x + w * (0.15 + step * 0.055), y + h * (row + (0.12 if step % 2 else -0.12)))
        page.mouse.up()


def test_s15_helper_on_a_phone_logs_a_visit_with_a_drawn_signature(cast, open_session):
    from backend.fieldwork.models import ImageKind, Visit
    from workflows.pairings import services

    from .helpers import today

    current_policy(cast)
    pairing = services.assign(actor=cast.actor("town_office"), household=cast.household,
                              first_helper=cast.first_helper, second_helper=cast.second_helper, on=today(cast.tenant))
    phone = open_session(phone=True)
    phone.sign_in("370683-first_helper")
    phone.shot("helper-home")
    page = phone.go("/my/")
    assert "张德福" in page.inner_text("main")
    phone.shot("my-households")
    page.click("text=登记入户走访")
    page.wait_for_url(f"**/my/{pairing.pk}/visit/")
    phone.shot("visit-form")
    page.check("input[name=items][value=policy]")
    page.check("input[name=items][value=song]")
    page.fill("#id_summary", "宣讲政策，送去米面油，了解身体状况。")
    draw_signature(page, "helper-pad")
    page.check("input[name=household_sign_method][value=signature]")
    page.fill("#id_household_signer_name", "张德福")
    draw_signature(page, "household-pad")
    assert page.locator("#helper-pad input[type=hidden]").input_value().startswith("data:image/png;base64,")
    phone.shot("visit-form-signed")
    page.click("text=保存走访记录")
    page.wait_for_url(f"**/my/{pairing.pk}/")
    assert "已登记张德福户" in page.inner_text("main")
    assert page.locator("#visit-log img").count() == 2
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the household page is {width}px wide on a 390px phone"
    phone.shot("household-after-visit")
    visit = Visit.objects.get(pairing=pairing)
    signature = visit.images.get(kind=ImageKind.HELPER_SIGNATURE)
    assert signature.content_type == "image/png" and signature.width > 100


def test_helper_pages_fit_a_phone(cast, open_session):
    current_policy(cast)
    phone = open_session(phone=True)
    phone.sign_in("370683-first_helper")
    width = phone.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the home page is {width}px wide on a 390px phone"
    assert re.search(r"帮扶户", phone.page.inner_text("main"))
    phone.shot("helper-home-phone")
    phone.go("/inbox/")
    phone.shot("inbox-phone")


def test_s5_city_office_opens_a_campaigns_coverage_by_town_and_village(cast, open_session, enqueued):
    from workflows.deliveries import services as deliveries
    from workflows.pairings import services

    from .helpers import today
    from .test_plan_pages import upcoming_festival

    current_policy(cast)
    now = today(cast.tenant)
    office = cast.actor("city_office")
    pairing = services.assign(actor=office, household=cast.household, first_helper=cast.first_helper,
                              second_helper=cast.second_helper, on=now)
    services.activate(actor=office, pairing=pairing, met_on=now)
    year, festival = upcoming_festival(now)
    campaign = deliveries.plan(actor=office, year=year, festival=festival, goods="米、面、油", budget="20000")
    deliveries.start(actor=office, campaign=campaign)
    city = open_session()
    city.sign_in("370683-city_office")
    page = city.go(f"/deliveries/?year={year}")
    page.click(f'tr[data-campaign="{campaign.pk}"] a')
    page.wait_for_selector("#coverage-towns")
    page.click(f'#coverage-towns tr[data-town="{cast.town.pk}"] a')
    page.wait_for_selector("#coverage-villages")
    assert "0/1" in page.inner_text(f'#coverage-villages tr[data-village="{cast.village.pk}"]')
    assert "张德福" in page.inner_text("#missing")
    city.shot("delivery-coverage")


def test_sec7_city_office_watches_a_document_render_and_downloads_it(cast, open_session, enqueued):
    from backend.documents.models import DocumentJob
    from backend.documents.services import run_document_job

    city = open_session()
    city.sign_in("370683-city_office")
    page = city.go("/documents/")
    page.select_option("#id_kind", "A6")
    page.select_option("#id_format", "pdf")
    page.click("#document-form button[type=submit]")
    page.wait_for_selector("#jobs tr[data-state=queued]")
    city.shot("documents-queued")
    job = DocumentJob.objects.get()
    assert [name for name, _ in enqueued] == ["documents.render"]
    run_document_job(job.pk)  # the worker's part
    page.wait_for_selector(f'#jobs tr[data-job="{job.pk}"][data-state=done]', timeout=10_000)
    city.shot("documents-done")
    with page.expect_download() as download:
        page.click(f'#jobs tr[data-job="{job.pk}"] a')
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_every_menu_page_of_every_role_renders_with_own_assets_only(cast, open_session):
    """A tour: each role signs in and opens every page of its menu; each page is kept as a screenshot."""
    from workflows.accountability import services as accountability
    from workflows.pairings import services

    from .helpers import today

    current_policy(cast)
    pairing = services.assign(actor=cast.actor("town_office"), household=cast.household,
                              first_helper=cast.first_helper, second_helper=cast.second_helper, on=today(cast.tenant))
    accountability.open_escalation(tenant=cast.tenant, level=3, year=today(cast.tenant).year, organisation=cast.unit,
                                   misses=[], actor=cast.actor("city_office"), reason="单位未履职达到3人次")
    from workflows.reporting import services as reporting

    now = today(cast.tenant)
    report = reporting.open_report(actor=cast.actor("town_office"), town=cast.town, year=now.year,
                                   quarter=(now.month - 1) // 3 + 1)
    reporting.compile_report(actor=cast.actor("town_office"), report=report)
    extra = {"first_helper": [f"/my/{pairing.pk}/", f"/my/{pairing.pk}/call/", f"/my/{pairing.pk}/income/",
                              "/inbox/preferences/"],
             "town_office": [f"/reports/{report.pk}/"], "second_helper": [f"/reports/{report.pk}/"]}
    for role in ("city_office", "leading_group", "town_office", "unit_liaison", "first_helper", "second_helper",
                 "assessor"):
        session = open_session(phone=role.endswith("helper"))
        session.sign_in(f"370683-{role}")
        links = session.page.eval_on_selector_all("nav.menu a", "els => els.map(e => e.getAttribute('href'))")
        assert links[0] == "/" and "/inbox/" in links
        for path in [*links, *extra.get(role, [])]:
            page = session.go(path)
            assert page.locator("h1").count() >= 1, f"{role} {path} has no heading"
            session.shot(f"{role}-{path.strip('/').replace('/', '-') or 'home'}")
        session.context.close()


def test_s15_household_on_a_phone_confirms_a_visit_and_rates_on_the_qr_page(cast, open_session):
    """The card's QR page, as a household opens it on a phone: the app's own stylesheet, large tap targets,
    what the household can do in plain Chinese, nothing personal; then the village disclosure on the phone."""
    from django.core.cache import cache

    from backend.fieldwork.cards import card_path
    from backend.fieldwork.models import HouseholdFeedback
    from tests.fieldwork.conftest import visit_body
    from workflows.pairings import services

    from .helpers import today

    cache.clear()  # the page's rate limits count in the cache
    current_policy(cast)
    now = today(cast.tenant)
    pairing = services.assign(actor=cast.actor("town_office"), household=cast.household,
                              first_helper=cast.first_helper, second_helper=cast.second_helper, on=now)
    pairing = services.activate(actor=cast.actor("town_office"), pairing=pairing, met_on=now)
    logged = cast.client("first_helper").post("/api/v1/visits/", visit_body(pairing, now), format="json")
    assert logged.status_code == 201, logged.content
    phone = open_session(phone=True)
    page = phone.go(card_path(pairing))
    main = page.inner_text("main")
    assert "确认走访" in main and "反映问题" in main and "评价帮扶工作" in main
    assert "李*" in main and cast.unit.name in main
    for secret in ("张德福", "李明", "王芳", cast.household.code):
        assert secret not in page.content(), secret
    assert page.evaluate("() => [...document.styleSheets].some(s => (s.href || '').endsWith('/static/web/app.css'))")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    heights = page.eval_on_selector_all("main button, main label.choice",
                                        "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(heights) == 6 and min(heights) >= 44, heights  # confirm, dispute, three levels, submit
    phone.shot("qr-card-phone")

    page.click("text=有这次入户走访")
    page.wait_for_selector(".notice.ok")
    assert "您已确认：有这次入户走访" in page.inner_text("#visits")
    phone.shot("qr-card-confirmed")
    page.click("label.choice:has-text('不满意')")
    page.fill("#note", "很久没人来了")
    page.click("text=提交评价")
    page.wait_for_url("**?done=rate")
    assert "您的评价已记录" in page.inner_text(".notice.ok")
    kinds = sorted(HouseholdFeedback.objects.filter(pairing=pairing).values_list("kind", "satisfaction"))
    assert kinds == [("satisfaction", "dissatisfied"), ("visit_confirmed", "")]

    page = phone.go(f"/disclosure/{cast.tenant.code}/{cast.village.code}/")
    assert "张*福" in page.inner_text("#disclosure") and "张德福" not in page.content()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.shot("village-disclosure-phone")


def test_s13_city_office_chooses_households_for_an_inspection_by_search(cast, open_session):
    """指定户: the sample method switches the form, the htmx search finds households by village within the
    chosen unit, a ticked result joins the chosen list and survives the next search, and the inspection is made."""
    from tests.factories import HouseholdFactory, PersonFactory, VillageFactory, put_on_roster
    from workflows.inspections.models import Inspection
    from workflows.pairings import services

    from .helpers import today

    current_policy(cast)
    now = today(cast.tenant)
    office = cast.actor("town_office")
    services.assign(actor=office, household=cast.household, first_helper=cast.first_helper,
                    second_helper=cast.second_helper, on=now)
    east = VillageFactory(tenant=cast.tenant, town=cast.town, code="370683004002", name="东关村")
    liu = HouseholdFactory(village=east, head_name="刘桂兰")
    zhao = PersonFactory(organisation=cast.unit, name="赵强")
    put_on_roster(zhao, cast.town)
    services.assign(actor=office, household=liu, first_helper=zhao, second_helper=cast.second_helper, on=now)

    city = open_session()
    city.sign_in("370683-city_office")
    page = city.go("/inspections/")
    assert not page.is_visible("#choose-households")
    page.check("input[name=method][value=chosen]")
    assert page.is_visible("#choose-households") and not page.is_visible("#id_sample_size")
    page.select_option("#id_unit", str(cast.unit.pk))
    page.fill("#household-q", "东关")
    page.wait_for_selector(f"#household-results li[data-household='{liu.pk}']")
    page.check(f"#household-results input[value='{liu.pk}']")
    assert page.locator(f"#chosen-households input[value='{liu.pk}']").is_checked()
    page.fill("#household-q", "西关")
    page.wait_for_selector(f"#household-results li[data-household='{cast.household.pk}']")
    assert page.locator(f"#chosen-households li[data-household='{liu.pk}']").count() == 1  # kept
    page.check(f"#household-results input[value='{cast.household.pk}']")
    city.shot("inspection-chosen-households")
    page.click("button.primary:has-text('建立检查')")
    page.wait_for_url("**/inspections/*/")
    inspection = Inspection.objects.get()
    assert inspection.method == "chosen"
    assert list(inspection.findings.order_by("order").values_list("household__head_name", flat=True)) == [
        "刘桂兰", "张德福"]
    city.shot("inspection-chosen-detail")
