"""Helpers' pages (S8, S14, S15): my households with next visit and call due, logging a visit with the double
signature (drawn, or a witness) and a call, the second helper's confirmation."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from backend.fieldwork.models import ImageKind, Visit
from workflows.pairings import services

from .helpers import proposed_pairing, signed_in, text, today


def png_data_url(color: str = "black") -> str:
    buffer = io.BytesIO()
    image = Image.new("RGB", (120, 40), "white")
    image.paste(color, (10, 15, 110, 20))
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def pairing(cast):
    return proposed_pairing(cast)



def visit_post(cast, **overrides) -> dict:
    data = {"occurred_on": today(cast.tenant).isoformat(), "items": ["policy", "song"], "summary": "宣讲政策，送去米面油。",
            "helper_signature": png_data_url(), "household_sign_method": "signature",
            "household_signer_name": "张德福", "household_signature": png_data_url("blue")}
    data.update(overrides)
    return data


def test_s8_my_households_show_next_visit_and_call_due(cast, pairing):
    page = text(signed_in(cast, "first_helper").get("/my/"))
    assert "张德福" in page and "第一帮扶责任人" in page
    assert 'data-channel="in_person"' in page and 'data-channel="phone"' in page
    assert "每2个月至少入户走访1次" in page and "每月至少电话联系1次" in page
    assert "尚无记录" in page


def test_s15_visit_with_drawn_double_signature_is_recorded(cast, pairing):
    client = signed_in(cast, "first_helper")
    response = client.post(f"/my/{pairing.pk}/visit/", visit_post(cast))
    assert response.status_code == 302 and response["Location"] == f"/my/{pairing.pk}/"
    visit = Visit.objects.get(pairing=pairing)
    assert visit.channel == "in_person" and visit.role == "first" and visit.items == ["policy", "song"]
    assert set(visit.images.values_list("kind", flat=True)) == {ImageKind.HELPER_SIGNATURE,
                                                               ImageKind.HOUSEHOLD_SIGNATURE}
    page = text(client.get(f"/my/{pairing.pk}/"))
    assert "宣讲政策，送去米面油。" in page and 'src="data:image/png;base64,' in page
    assert "本期已完成" in text(client.get("/my/"))


def test_s15_visit_without_signatures_shows_the_errors_next_to_the_fields(cast, pairing):
    response = signed_in(cast, "first_helper").post(
        f"/my/{pairing.pk}/visit/", visit_post(cast, helper_signature="", household_sign_method=""))
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="helper-pad".*?</div>\s*<p class="error">入户走访须有帮扶责任人签字。', page)
    assert re.search(r'id="sign-method".*?<p class="error">入户走访须由贫困户签字', page)
    assert not Visit.objects.exists()


def test_s15_a_witness_signs_for_a_household_that_cannot(cast, pairing):
    response = signed_in(cast, "first_helper").post(f"/my/{pairing.pk}/visit/", visit_post(
        cast, household_sign_method="witness", household_signer_name="", witness_name="刘公证",
        witness_role="村公证人"))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.household_sign_method, visit.witness_name, visit.witness_role) == ("witness", "刘公证", "村公证人")


def test_s14_visit_date_outside_the_pairing_is_refused_next_to_the_date(cast, pairing):
    response = signed_in(cast, "first_helper").post(f"/my/{pairing.pk}/visit/", visit_post(cast, occurred_on="2017-01-05"))
    page = text(response)
    assert re.search(r'<label for="id_occurred_on">日期</label>.*?<p class="error"[^>]*>入户走访日期2017年1月5日不在该户的结对帮扶期内', page)


def test_s8_call_is_logged_and_the_second_helper_confirms_a_visit(cast, pairing):
    helper = signed_in(cast, "first_helper")
    assert helper.post(f"/my/{pairing.pk}/call/", {"occurred_on": today(cast.tenant).isoformat(),
                                                  "summary": "电话了解近况。"}).status_code == 302
    helper.post(f"/my/{pairing.pk}/visit/", visit_post(cast))
    visit = Visit.objects.get(channel="in_person")
    second = signed_in(cast, "second_helper")
    assert "确认此次走访" in text(second.get(f"/my/{pairing.pk}/"))
    assert second.post(f"/my/{pairing.pk}/visits/{visit.pk}/confirm/").status_code == 302
    visit.refresh_from_db()
    assert visit.confirmed_by == cast.second_helper
    assert helper.post(f"/my/{pairing.pk}/visits/{visit.pk}/confirm/").status_code == 403


def test_helper_pages_are_the_helpers_own_households_only(cast, other, pairing):
    foreign = services.assign(actor=other.actor("town_office"), household=other.household,
                              first_helper=other.first_helper, second_helper=other.second_helper)
    client = signed_in(cast, "first_helper")
    assert client.get(f"/my/{foreign.pk}/").status_code == 404
    assert client.post(f"/my/{foreign.pk}/visit/", visit_post(cast)).status_code == 404
    assert signed_in(cast, "town_office").get(f"/my/{pairing.pk}/").status_code == 403
