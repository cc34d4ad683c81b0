"""Holiday-delivery campaigns (S5) on the city office's pages: the campaigns of a year, planning one for a
festival whose date is computed (never typed), starting and closing through the services, and the coverage
per town and village with the households still waiting; a town office sees its own town only."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from backend.directory.models import HelperCategory, OrgKind
from backend.fieldwork.images import Upload
from tests import factories as f
from workflows.deliveries import services as deliveries
from workflows.deliveries.festivals import date_of
from workflows.deliveries.models import Delivery, DeliveryCampaign
from workflows.pairings import services as pairings

from .helpers import current_policy, signed_in, text, today
from .test_helper_pages import png_data_url
from .test_plan_pages import upcoming_festival


def field_error(page: str, label: str, message: str) -> bool:
    """`message` shown as an error inside the field whose label is `label`."""
    return bool(re.search(rf'<div class="field invalid">\s*<label[^>]*>{re.escape(label)}</label>(?:(?!</div>).)*?'
                          rf'<p class="error"[^>]*>{re.escape(message)}', page))


def png() -> bytes:
    return base64.b64decode(png_data_url().split(",", 1)[1])


def paired(cast, household, first, second):
    now = today(cast.tenant)
    office = cast.actor("city_office")
    p = pairings.assign(actor=office, household=household, first_helper=first, second_helper=second, on=now)
    return pairings.activate(actor=office, pairing=p, met_on=now)


@pytest.fixture
def world(cast):
    """Two towns: the cast's (two paired households in one village, one in a second) and 文昌路街道 (one)."""
    current_policy(cast)
    second_village = f.VillageFactory(tenant=cast.tenant, town=cast.town, code=f"{cast.tenant.code}004002",
                                      name="东关村")
    other_town = f.OrganisationFactory(tenant=cast.tenant, kind=OrgKind.TOWN, code=f"{cast.tenant.code}001",
                                       name="文昌路街道", unit_kind="")
    other_village = f.VillageFactory(tenant=cast.tenant, town=other_town, code=f"{cast.tenant.code}001001",
                                     name="南关村")
    f.QuotaFactory(unit=cast.unit, town=other_town, count=2)
    rows = [paired(cast, cast.household, cast.first_helper, cast.second_helper)]
    for village, town, head in ((cast.village, cast.town, "刘玉兰"), (second_village, cast.town, "陈宝山"),
                                (other_village, other_town, "周桂英")):
        first = f.PersonFactory(organisation=cast.unit, helper_category=HelperCategory.CITY_AGENCY)
        f.put_on_roster(first, town)
        second = f.PersonFactory(organisation=town, helper_category=HelperCategory.TOWN_CADRE)
        rows.append(paired(cast, f.HouseholdFactory(village=village, head_name=head), first, second))
    return {"pairings": rows, "other_town": other_town, "second_village": second_village}


def plan_post(festival, **over):
    return {"festival": festival, "goods": "米、面、油", "budget": "20000.00", "funding": "市财政扶贫资金", **over}


def test_s5_city_office_plans_a_campaign_from_the_computed_festival_date(cast, world):
    year, festival = upcoming_festival(today(cast.tenant))
    city = signed_in(cast, "city_office")
    page = text(city.get(f"/deliveries/?year={year}"))
    on = date_of("chongyang", year)
    assert f"重阳节（{on.year}年{on.month}月{on.day}日）" in page  # the date is shown, computed, not an input
    assert 'name="festival_on"' not in page and f"{year}年尚无节日慰问活动" in page
    response = city.post(f"/deliveries/?year={year}", plan_post(festival))
    campaign = DeliveryCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deliveries/{campaign.pk}/"
    assert (campaign.year, campaign.festival, campaign.festival_on) == (year, festival, date_of(festival, year))
    assert campaign.deliver_by == campaign.festival_on - dt.timedelta(days=1) and campaign.state == "planned"
    listed = text(city.get(f"/deliveries/?year={year}"))
    assert re.search(rf'<tr data-campaign="{campaign.pk}" data-state="planned">.*?{campaign.title}', listed)
    assert f"{festival_label(festival)}（" in listed and "·已有计划" in listed
    detail = text(city.get(f"/deliveries/{campaign.pk}/"))
    fo = campaign.festival_on
    assert f"{fo.year}年{fo.month}月{fo.day}日" in detail and 'id="start-form"' in detail
    assert "开始发放后显示各镇街、各村的送达情况" in detail


def festival_label(festival: str) -> str:
    return {"duanwu": "端午节", "zhongqiu": "中秋节", "chongyang": "重阳节", "yuandan": "元旦", "chunjie": "春节"}[festival]


def test_s5_bad_plan_input_is_shown_next_to_its_field(cast, world):
    year, festival = upcoming_festival(today(cast.tenant))
    city = signed_in(cast, "city_office")
    negative = city.post(f"/deliveries/?year={year}", plan_post(festival, budget="-5"))
    assert negative.status_code == 422 and field_error(text(negative), "预算（元）", "预算金额不能为负数。")
    no_goods = city.post(f"/deliveries/?year={year}", plan_post(festival, goods=" "))
    assert no_goods.status_code == 422 and field_error(text(no_goods), "慰问物资", "请填写慰问物资。")
    fo = date_of(festival, year)
    after = fo + dt.timedelta(days=2)
    late = city.post(f"/deliveries/?year={year}", plan_post(festival, deliver_by=after.isoformat()))
    assert late.status_code == 422 and field_error(
        text(late), "送达截止日期", f"送达截止日期{after.year}年{after.month}月{after.day}日晚于")
    assert not DeliveryCampaign.objects.exists()
    city.post(f"/deliveries/?year={year}", plan_post(festival))
    again = city.post(f"/deliveries/?year={year}", plan_post(festival))
    assert again.status_code == 422
    assert re.search(r'<div class="field invalid"><label>节日</label> <div class="checks" id="festivals">.*?</div> '
                     r'<p class="error" id="id_festival-error">该节日已有慰问计划。</p>', text(again))
    assert DeliveryCampaign.objects.count() == 1


def test_s5_start_creates_deliveries_and_the_coverage_shows_towns_villages_and_who_waits(cast, world):
    year, festival = upcoming_festival(today(cast.tenant))
    city = signed_in(cast, "city_office")
    campaign = deliveries.plan(actor=cast.actor("city_office"), year=year, festival=festival, goods="米、面、油",
                               budget="20000")
    started = city.post(f"/deliveries/{campaign.pk}/", {"action": "start", "start-reason": "按计划发放"})
    assert started.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "delivering" and Delivery.objects.filter(campaign=campaign).count() == 4
    # The cast's first helper hands over one of the two in 西关村.
    delivery = Delivery.objects.get(campaign=campaign, household=cast.household)
    deliveries.complete(actor=cast.actor("first_helper"), delivery=delivery, delivered_on=today(cast.tenant),
                        receipt_sign_method="signature", receipt_signer_name="张德福",
                        signature=Upload(png()))
    page = text(city.get(f"/deliveries/{campaign.pk}/"))
    assert re.search(r'<strong data-total="households">4</strong>.*?<strong data-total="delivered">1</strong>.*?'
                     r'<strong data-total="rate">25.0%</strong>', page)
    assert re.search(rf'<tr data-town="{cast.town.pk}" class="bad">.*?城港路街道.*?1/3.*?33.3%', page)
    assert re.search(rf'<tr data-town="{world["other_town"].pk}" class="bad">.*?文昌路街道.*?0/1.*?0.0%', page)
    assert 'id="coverage-villages"' not in page  # the city office picks a town first
    town_page = text(city.get(f"/deliveries/{campaign.pk}/?town={cast.town.pk}"))
    assert re.search(rf'<tr data-village="{cast.village.pk}" class="bad"><td>西关村</td><td class="num">1/2</td>'
                     r'<td class="num">0</td><td class="num">50.0%</td>', town_page)
    assert re.search(rf'<tr data-village="{world["second_village"].pk}" class="bad"><td>东关村</td>'
                     r'<td class="num">0/1</td>', town_page)
    missing = re.search(r'<table class="list" id="missing">.*?</table>', town_page).group(0)
    assert "刘玉兰" in missing and "陈宝山" in missing and "张德福" not in missing and "周桂英" not in missing
    assert "尚未送达的贫困户（2户）" in town_page
    listed = text(city.get(f"/deliveries/?year={year}"))
    assert re.search(rf'<tr data-campaign="{campaign.pk}" data-state="delivering">.*?1/4.*?25.0%', listed)
    closed = city.post(f"/deliveries/{campaign.pk}/", {"action": "close", "close-reason": "节日已过"})
    assert closed.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "closed"
    assert "结束活动（发放中 → 已结束） · 节日已过" in text(city.get(f"/deliveries/{campaign.pk}/"))


def test_s5_start_without_any_paired_household_shows_why(cast):
    current_policy(cast)
    year, festival = upcoming_festival(today(cast.tenant))
    campaign = deliveries.plan(actor=cast.actor("city_office"), year=year, festival=festival, goods="米", budget="1")
    refused = signed_in(cast, "city_office").post(f"/deliveries/{campaign.pk}/", {"action": "start"})
    assert refused.status_code == 422
    assert re.search(r'id="start-form".*?<p class="error">没有符合条件的贫困户', text(refused))
    campaign.refresh_from_db()
    assert campaign.state == "planned" and not Delivery.objects.exists()


def test_s5_a_town_office_sees_the_coverage_of_its_own_town_and_cannot_run_campaigns(cast, world):
    year, festival = upcoming_festival(today(cast.tenant))
    campaign = deliveries.plan(actor=cast.actor("city_office"), year=year, festival=festival, goods="米", budget="1")
    town = signed_in(cast, "town_office")
    assert "节日慰问" in text(town.get("/"))  # in its menu
    listed = text(town.get(f"/deliveries/?year={year}"))
    assert campaign.title in listed and 'id="plan-campaign"' not in listed
    assert town.post(f"/deliveries/?year={year}", plan_post("duanwu")).status_code == 403
    refused = town.post(f"/deliveries/{campaign.pk}/", {"action": "start"})
    assert refused.status_code == 403 and "节日慰问活动由市扶贫办制定和管理" in text(refused)
    campaign.refresh_from_db()
    assert campaign.state == "planned"
    deliveries.start(actor=cast.actor("city_office"), campaign=campaign)
    page = text(town.get(f"/deliveries/{campaign.pk}/"))
    assert 'id="start-form"' not in page and 'id="close-form"' not in page
    assert re.search(r'<strong data-total="households">3</strong>', page)
    assert "文昌路街道" not in page and "周桂英" not in page
    assert f'<section class="card" id="town" data-town="{cast.town.pk}">' in page  # its own town, unasked
    assert "刘玉兰" in page and "张德福" in page
    listed = text(town.get(f"/deliveries/?year={year}"))  # the year's list counts its own town too
    assert re.search(rf'<tr data-campaign="{campaign.pk}" data-state="delivering">.*?<td class="num">0/3</td>', listed)
    # Asking for the other town shows nothing of it.
    assert "周桂英" not in text(town.get(f"/deliveries/{campaign.pk}/?town={world['other_town'].pk}"))


def test_s5_campaign_pages_refuse_helpers_and_other_tenants(cast, other):
    current_policy(cast)
    year, festival = upcoming_festival(today(cast.tenant))
    campaign = deliveries.plan(actor=cast.actor("city_office"), year=year, festival=festival, goods="米", budget="1")
    for role in ("first_helper", "second_helper", "unit_liaison"):
        assert signed_in(cast, role).get("/deliveries/").status_code == 403
        assert signed_in(cast, role).get(f"/deliveries/{campaign.pk}/").status_code == 403
    foreign = signed_in(other, "city_office")
    assert foreign.get(f"/deliveries/{campaign.pk}/").status_code == 404
    assert foreign.post(f"/deliveries/{campaign.pk}/", {"action": "start"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.state == "planned"
    assert campaign.title not in text(foreign.get(f"/deliveries/?year={year}"))
