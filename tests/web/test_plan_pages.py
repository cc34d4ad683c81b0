"""The helper's help plan (A4, published for the village disclosure) and holiday deliveries (S5)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from workflows.deliveries import services as deliveries
from workflows.deliveries.festivals import Festival, date_of
from workflows.deliveries.models import Delivery
from workflows.plans.models import HelpPlan

from .helpers import active_pairing, signed_in, text, today
from .test_helper_pages import png_data_url


@pytest.fixture
def pairing(cast):
    return active_pairing(cast)


def plan_post(cast, action="save", **item):
    now = today(cast.tenant)
    row = {"measure": "01", "content": "发展大棚蔬菜种植", "responsible": "市财政局", "expected_benefit": "年增收3000元",
           "expected_amount": "3000", "starts_on": now.isoformat(), "ends_on": (now + dt.timedelta(days=300)).isoformat()}
    row.update(item)
    return {"action": action, "headline": "发展大棚蔬菜，稳定增收", "goal": "两年内人均纯收入稳定超过标准",
            "item_count": "3", **{f"item-0-{k}": v for k, v in row.items()}}


def test_a4_first_helper_drafts_and_publishes_the_plan_which_the_disclosure_shows(cast, pairing):
    helper = signed_in(cast, "first_helper")
    assert helper.post(f"/my/{pairing.pk}/plan/", plan_post(cast)).status_code == 302
    assert HelpPlan.objects.get().state == "draft"
    assert helper.post(f"/my/{pairing.pk}/plan/", plan_post(cast, "publish")).status_code == 302
    plan = HelpPlan.objects.get()
    assert plan.state == "published" and plan.items.count() == 1
    assert "发展大棚蔬菜，稳定增收" in text(helper.get(f"/my/{pairing.pk}/"))
    page = text(Client().get(f"/disclosure/{cast.tenant.code}/{cast.village.code}/"))
    assert "发展大棚蔬菜，稳定增收" in page and "3000" not in page  # the headline only


def test_a4_a_bad_measure_row_shows_its_error_on_that_row(cast, pairing):
    now = today(cast.tenant)
    response = signed_in(cast, "first_helper").post(
        f"/my/{pairing.pk}/plan/", plan_post(cast, ends_on=(now - dt.timedelta(days=3)).isoformat(), content=""))
    assert response.status_code == 422
    row = re.search(r'<fieldset class="item invalid" data-item="0">.*?</fieldset>', text(response))
    assert row and "第1项措施：请填写具体措施。" in row.group(0) and "早于开始日期" in row.group(0)
    assert not HelpPlan.objects.exists()


def test_a4_the_second_helper_reads_the_plan_but_cannot_write_it(cast, pairing):
    second = signed_in(cast, "second_helper")
    assert 'id="plan-form"' not in text(second.get(f"/my/{pairing.pk}/plan/"))
    second.post(f"/my/{pairing.pk}/plan/", plan_post(cast))
    assert not HelpPlan.objects.exists()


def upcoming_festival(now: dt.date) -> tuple[int, str]:
    return min(((year, f) for year in (now.year - 1, now.year, now.year + 1) for f in Festival.values
                if date_of(f, year) - dt.timedelta(days=1) >= now), key=lambda yf: date_of(yf[1], yf[0]))


def test_s5_first_helper_records_a_delivery_with_the_households_receipt(cast, pairing, enqueued):
    year, festival = upcoming_festival(today(cast.tenant))
    city = cast.actor("city_office")
    campaign = deliveries.plan(actor=city, year=year, festival=festival, goods="米、面、油", budget="20000")
    deliveries.start(actor=city, campaign=campaign)
    delivery = Delivery.objects.get(pairing=pairing)
    helper = signed_in(cast, "first_helper")
    assert "登记送达" in text(helper.get(f"/my/{pairing.pk}/"))
    refused = helper.post(f"/my/{pairing.pk}/deliveries/{delivery.pk}/", {
        "delivered_on": today(cast.tenant).isoformat(), "receipt_sign_method": "signature", "receipt_signer_name": ""})
    assert refused.status_code == 422
    assert re.search(r'<label for="id_receipt_signer_name">签收人姓名</label>.*?<p class="error"[^>]*>请填写签收人的姓名。',
                     text(refused))
    done = helper.post(f"/my/{pairing.pk}/deliveries/{delivery.pk}/", {
        "delivered_on": today(cast.tenant).isoformat(), "receipt_sign_method": "signature",
        "receipt_signer_name": "张德福", "receipt_signature": png_data_url()})
    assert done.status_code == 302
    delivery.refresh_from_db()
    assert delivery.delivered_on == today(cast.tenant) and delivery.receipt_content_type == "image/png"
