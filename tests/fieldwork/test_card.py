"""S15: the responsibility card — main and counterpart are two views of one visit log — and its QR page:
no login, nothing personal, rate-limited, and its answers queryable for inspections and stats (S13, S17)."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from backend.fieldwork import selectors
from backend.fieldwork.cards import card_path, card_token, card_url, read_card_token
from backend.fieldwork.models import HouseholdFeedback
from backend.households.models import Member
from tests.factories import id_number

from .conftest import call_body, visit_body

pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def logged(cast, pairing):
    helper = cast.client("first_helper")
    v1 = helper.post("/api/v1/visits/", visit_body(pairing, dt.date(2018, 5, 6), problems_raised="户主腿疾复发"),
                     format="json").json()
    call = helper.post("/api/v1/calls/", call_body(pairing, dt.date(2018, 5, 8)), format="json").json()
    v2 = cast.client("second_helper").post("/api/v1/visits/", visit_body(pairing, dt.date(2018, 5, 9)),
                                           format="json").json()
    return [v1, call, v2]


def test_s15_main_and_counterpart_are_two_views_of_the_same_log(cast, pairing, logged):
    client = cast.client("first_helper")
    main = client.get(f"/api/v1/pairings/{pairing.pk}/card/").json()
    counterpart = client.get(f"/api/v1/pairings/{pairing.pk}/card/?copy=counterpart").json()
    assert main["copy_label"] == "正卡（贫困户保管）" and counterpart["copy_label"] == "副卡（第一帮扶责任人保管）"
    assert {k: v for k, v in main.items() if not k.startswith("copy")} == \
        {k: v for k, v in counterpart.items() if not k.startswith("copy")}
    assert [v["id"] for v in main["visits"]] == [logged[0]["id"], logged[1]["id"], logged[2]["id"]]
    first = main["visits"][0]
    assert first["household_sign_label"] == "贫困户签字" and first["helper_signature"] and first["household_signature"]
    assert main["household"]["head_name"] == "张德福" and main["household"]["phone"].count("*") == 4
    assert main["first_helper"]["phone"].startswith("138") and "****" in main["first_helper"]["phone"]
    assert main["qr_url"].endswith(card_path(pairing)) and main["plan"] is None
    uris = selectors.images_as_data_uris([first["helper_signature"], first["household_signature"], None])
    assert len(uris) == 2 and all(u.startswith("data:image/png;base64,iVBOR") for u in uris.values())
    bad = client.get(f"/api/v1/pairings/{pairing.pk}/card/?copy=third")
    assert bad.status_code == 400 and "正卡（main）或副卡（counterpart）" in bad.json()["message"]


def test_s15_voided_records_leave_the_card(cast, pairing, logged):
    cast.client("first_helper").post(f"/api/v1/calls/{logged[1]['id']}/void/", {"reason": "误录"}, format="json")
    card = selectors.card_data(pairing)
    assert [v["id"] for v in card["visits"]] == [logged[0]["id"], logged[2]["id"]]


def test_s15_card_token_is_signed_and_names_only_the_pairing(cast, pairing):
    token = card_token(pairing)
    assert read_card_token(token) == (cast.tenant.pk, pairing.pk)
    forged = token.replace(f"-{pairing.pk}:", f"-{pairing.pk + 1}:")
    assert read_card_token(forged) is None and read_card_token("garbage") is None
    assert card_url(pairing).startswith("http") and token in card_url(pairing)


def test_s15_qr_page_works_without_login_and_leaks_nothing(cast, pairing, logged):
    spouse_id = id_number(sex="02")
    Member.objects.create(tenant=cast.tenant, household=cast.household, name="李秀英", relation="02",
                          id_number=spouse_id, sex="02", health=["02"], labour="01", education="02",
                          phone="13905351234")
    page = Client().get(card_path(pairing))
    assert page.status_code == 200
    html = page.content.decode()
    assert "西关村" in html and "李*" in html and "莱州市财政局" in html
    assert "2018年5月6日" in html and "有这次入户走访" in html and "有这次电话联系" in html
    head_id = Member.objects.get(household=cast.household, relation="01").id_number
    for secret in ("张德福", "李秀英", "李明", "王芳", head_id, spouse_id,
                   cast.household.phone, "13905351234", cast.first_helper.phone, "腿疾", cast.household.code):
        assert secret not in html, secret
    assert not re.search(r"1[3-9]\d{9}", html) and not re.search(r"\d{17}[\dX]", html)
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "same-origin"


def test_s15_bad_or_foreign_tokens_show_nothing(cast, other, pairing):
    from tests.conftest import PAIRED_ON
    from workflows.pairings import services as pairings

    theirs = pairings.assign(actor=other.actor("town_office"), household=other.household,
                             first_helper=other.first_helper, second_helper=other.second_helper, on=PAIRED_ON)
    tampered = card_token(theirs).replace(f"{other.tenant.pk}-", f"{cast.tenant.pk}-")
    for token in ("nope", tampered, card_token(pairing)[:-2] + "xx"):
        page = Client().get(f"/card/{token}/")
        assert page.status_code == 404 and "二维码无效" in page.content.decode()


def test_s13_household_confirms_and_disputes_visits_and_reports_dissatisfaction(cast, pairing, logged):
    client = Client()
    path = card_path(pairing)
    r = client.post(path, {"action": "confirm", "visit": logged[0]["id"]})
    assert r.status_code == 302 and r["Location"] == f"{path}?done=confirm"
    assert "已收到您的反馈" in client.get(r["Location"]).content.decode()
    client.post(path, {"action": "dispute", "visit": logged[2]["id"]})
    client.post(path, {"action": "confirm", "visit": logged[1]["id"]})
    client.post(path, {"action": "dispute", "visit": logged[1]["id"]})  # a later answer replaces the first
    client.post(path, {"action": "rate", "satisfaction": "basically_satisfied"})
    client.post(path, {"action": "rate", "satisfaction": "dissatisfied", "note": "很久没人来了"})
    summary = selectors.feedback_by_pairing(selectors.feedback_in(cast.tenant))
    assert summary == {pairing.pk: {"confirmed": 1, "disputed": 2, "satisfied": 0, "basically_satisfied": 1,
                                    "dissatisfied": 1, "latest_satisfaction": "dissatisfied"}}
    assert HouseholdFeedback.objects.dissatisfied().get().note == "很久没人来了"
    assert all(len(f.source) == 64 for f in HouseholdFeedback.objects.all())  # a keyed hash, not the address
    office = cast.client("town_office").get("/api/v1/household-feedback/?kind=visit_disputed").json()
    assert sorted(r["visit"] for r in office["results"]) == sorted([logged[1]["id"], logged[2]["id"]])
    assert cast.client("city_office").get("/api/v1/household-feedback/?satisfaction=dissatisfied").json()["count"] == 1
    for role in ("first_helper", "second_helper"):
        assert cast.client(role).get("/api/v1/household-feedback/").status_code == 403


def test_s13_feedback_input_errors_are_chinese(cast, pairing, logged):
    client = Client()
    path = card_path(pairing)
    r = client.post(path, {"action": "rate", "satisfaction": "meh"})
    assert r.status_code == 400 and "请选择满意、基本满意或不满意。" in r.content.decode()
    r = client.post(path, {"action": "confirm", "visit": "999999"})
    assert r.status_code == 400 and "没有找到这次走访记录。" in r.content.decode()
    assert not HouseholdFeedback.objects.exists()


def test_s13_feedback_is_isolated_by_tenant(cast, other, pairing, logged):
    Client().post(card_path(pairing), {"action": "rate", "satisfaction": "satisfied"})
    assert other.client("city_office").get("/api/v1/household-feedback/").json()["count"] == 0
    fid = HouseholdFeedback.objects.get().pk
    assert other.client("city_office").get(f"/api/v1/household-feedback/{fid}/").status_code == 404
    assert selectors.feedback_by_pairing(selectors.feedback_in(other.tenant)) == {}


def test_s15_qr_page_is_rate_limited(cast, pairing, settings):
    settings.BANGFU_PUBLIC_RATES = {"view": "5/m", "submit": "2/m", "submit_per_card": "100/d"}
    client = Client()
    path = card_path(pairing)
    codes = [client.get(path).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert "访问过于频繁" in client.get(path).content.decode()
    other_client = Client(REMOTE_ADDR="10.0.0.9")
    posts = [other_client.post(path, {"action": "rate", "satisfaction": "satisfied"}).status_code for _ in range(3)]
    assert posts == [302, 302, 429]
    assert HouseholdFeedback.objects.count() == 2


def test_s15_submissions_per_card_are_limited_across_addresses(cast, pairing, settings):
    settings.BANGFU_PUBLIC_RATES = {"view": "100/m", "submit": "100/m", "submit_per_card": "3/d"}
    path = card_path(pairing)
    codes = [Client(REMOTE_ADDR=f"10.0.1.{n}").post(path, {"action": "rate", "satisfaction": "satisfied"}).status_code
             for n in range(4)]
    assert codes == [302, 302, 302, 429]


@pytest.mark.redis
def test_s15_rate_limits_are_counted_in_redis(cast, pairing, settings):
    import os

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": os.environ["REDIS_URL"]}}
    from django.core.cache import caches

    caches["default"].clear()
    settings.BANGFU_PUBLIC_RATES = {"view": "3/m", "submit": "10/m", "submit_per_card": "10/d"}
    client = Client(REMOTE_ADDR="10.0.2.1")
    assert [client.get(card_path(pairing)).status_code for _ in range(4)] == [200, 200, 200, 429]
    keys = caches["default"]._cache.get_client().keys("*rl:*")
    assert keys, "the counters live in Redis"
    caches["default"].clear()


def test_s15_the_card_shows_the_published_help_plan(cast, pairing, logged):
    from workflows.plans import services as plans

    office = cast.actor("town_office")
    draft = plans.create(actor=office, pairing=pairing, headline="发展大棚种植增收", items=[{
        "measure": "01", "content": "大棚蔬菜种植", "expected_benefit": "年增收3000元", "starts_on": dt.date(2018, 4, 1),
        "ends_on": dt.date(2018, 12, 1)}])
    client = cast.client("first_helper")
    assert client.get(f"/api/v1/pairings/{pairing.pk}/card/").json()["plan"] is None  # drafts are not shown
    plans.publish(actor=office, plan=draft, on=dt.date(2018, 5, 10))
    plan = client.get(f"/api/v1/pairings/{pairing.pk}/card/?copy=counterpart").json()["plan"]
    assert plan["headline"] == "发展大棚种植增收"
    assert [m["content"] for m in plan["measures"]] == ["大棚蔬菜种植"]
