"""A4 help plans through the API: items from the national measure list, draft → published → revised, the
published version for the card, A4 and the village disclosure; Chinese errors; scope and isolation."""

import datetime as dt

import pytest

from workflows.core.models import TransitionLog
from workflows.plans import selectors
from workflows.plans.models import HelpPlan

pytestmark = pytest.mark.usefixtures("today")


def item(**extra):
    body = {"measure": "01", "content": "发展大棚蔬菜种植0.5亩", "responsible": "市财政局", "expected_benefit": "年增收3000元",
            "expected_amount": "3000.00", "starts_on": "2018-04-01", "ends_on": "2018-12-31"}
    body.update(extra)
    return body


def create(cast, pairing, role="first_helper", **extra):
    body = {"pairing": pairing.pk, "headline": "种植增收、健康扶贫", "items": [item(), item(measure="06",
            content="办理慢性病卡", expected_benefit="门诊报销比例提高", expected_amount=None)]}
    body.update(extra)
    return cast.client(role).post("/api/v1/help-plans/", body, format="json")


def test_a4_first_helper_drafts_and_publishes_a_plan(cast, pairing):
    r = create(cast, pairing)
    assert r.status_code == 201, r.json()
    plan = r.json()
    assert (plan["state"], plan["state_label"], plan["version"]) == ("draft", "草稿", 1)
    assert [(i["measure"], i["measure_label"]) for i in plan["items"]] == [("01", "产业扶贫"), ("06", "健康扶贫")]
    assert plan["items"][0]["expected_amount"] == "3000.00" and plan["items"][1]["expected_amount"] is None
    assert selectors.published_plan(pairing) is None
    r = cast.client("first_helper").post(f"/api/v1/help-plans/{plan['id']}/publish/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "published" and r.json()["published_on"] == "2018-05-10"
    shown = selectors.published_plan(pairing)
    assert shown["headline"] == "种植增收、健康扶贫" and shown["version"] == 1
    assert [m["measure_label"] for m in shown["measures"]] == ["产业扶贫", "健康扶贫"]
    assert selectors.headlines([cast.household.pk]) == {cast.household.pk: "种植增收、健康扶贫"}
    assert [t.transition for t in TransitionLog.objects.for_object(HelpPlan.objects.get())] == ["create", "publish"]


def test_a4_revising_keeps_the_published_version_until_the_new_one_is_published(cast, pairing):
    first = create(cast, pairing).json()
    helper = cast.client("first_helper")
    helper.post(f"/api/v1/help-plans/{first['id']}/publish/", {}, format="json")
    r = helper.post(f"/api/v1/help-plans/{first['id']}/revise/", {"reason": "增加公益岗位"}, format="json")
    assert r.status_code == 201
    draft = r.json()
    assert (draft["version"], draft["state"], draft["revises_version"]) == (2, "draft", 1)
    assert len(draft["items"]) == 2
    items = [*draft["items"], item(measure="04", content="安排护林员公益岗位", expected_benefit="月收入500元",
                                   expected_amount="6000")]
    items = [{k: v for k, v in i.items() if k not in ("order", "measure_label")} for i in items]
    r = helper.patch(f"/api/v1/help-plans/{draft['id']}/", {"items": items, "headline": "种植、公益岗位增收"},
                     format="json")
    assert r.status_code == 200 and len(r.json()["items"]) == 3
    assert selectors.published_plan(pairing)["version"] == 1  # the draft is not shown yet
    assert helper.post(f"/api/v1/help-plans/{draft['id']}/publish/", {}, format="json").status_code == 200
    states = dict(HelpPlan.objects.values_list("version", "state"))
    assert states == {1: "revised", 2: "published"}
    assert selectors.published_plan(pairing)["headline"] == "种植、公益岗位增收"
    old = helper.patch(f"/api/v1/help-plans/{first['id']}/", {"headline": "改旧版"}, format="json")
    assert old.status_code == 409 and "已修订" in old.json()["message"]


def test_a4_one_draft_at_a_time(cast, pairing):
    assert create(cast, pairing).status_code == 201
    r = create(cast, pairing, role="town_office")
    assert r.status_code == 409 and r.json()["message"] == "该户已有一份帮扶计划草稿，请在草稿上修改。"


@pytest.mark.parametrize("bad,field,message", [
    ({"measure": "99"}, "items[0].measure", "第1项措施：措施类别“99”不在帮扶措施代码表中。"),
    ({"content": ""}, "items[0].content", "第1项措施：请填写具体措施。"),
    ({"expected_benefit": " "}, "items[0].expected_benefit", "第1项措施：请填写预期成效。"),
    ({"expected_amount": "-5"}, "items[0].expected_amount", "第1项措施：预期增收金额不能为负数。"),
    ({"ends_on": "2018-03-01"}, "items[0].ends_on", "第1项措施：完成日期2018年3月1日早于开始日期2018年4月1日。"),
    ({"starts_on": None}, "items[0].starts_on", "第1项措施：请填写开始日期。"),
])
def test_a4_bad_items_are_refused_in_chinese(cast, pairing, bad, field, message):
    r = create(cast, pairing, items=[item(**bad)])
    assert r.status_code == 400, r.json()
    assert r.json()["fields"][field] == [message] and r.json()["message"] == message
    assert not HelpPlan.objects.exists()


def test_a4_publishing_needs_a_headline_and_an_item(cast, pairing):
    plan = create(cast, pairing, headline="", items=[]).json()
    r = cast.client("first_helper").post(f"/api/v1/help-plans/{plan['id']}/publish/", {}, format="json")
    assert r.status_code == 400
    assert set(r.json()["fields"]) == {"headline", "items"}
    assert "村级公示" in r.json()["fields"]["headline"][0]


def test_a4_who_may_keep_the_plan(cast, pairing):
    assert create(cast, pairing, role="second_helper").status_code == 403
    assert create(cast, pairing, role="unit_liaison").status_code == 403
    r = create(cast, pairing, role="assessor")
    assert r.status_code == 403
    plan = create(cast, pairing, role="town_office").json()
    assert cast.client("second_helper").get(f"/api/v1/help-plans/{plan['id']}/").status_code == 200
    assert cast.client("unit_liaison").get(f"/api/v1/help-plans/{plan['id']}/").status_code == 200
    r = cast.client("second_helper").post(f"/api/v1/help-plans/{plan['id']}/publish/", {}, format="json")
    assert r.status_code == 403 and "第一帮扶责任人" in r.json()["message"]


def test_a4_plans_are_isolated_between_tenants(cast, other, pairing):
    from tests.plans.conftest import activate

    theirs = activate(other, other.household, other.first_helper, other.second_helper)
    theirs_plan = create(other, theirs).json()
    mine = create(cast, pairing).json()
    client = cast.client("city_office")
    assert client.get(f"/api/v1/help-plans/{theirs_plan['id']}/").status_code == 404
    assert [p["id"] for p in client.get("/api/v1/help-plans/").json()["results"]] == [mine["id"]]
    r = create(cast, theirs, role="city_office")
    assert r.status_code == 400 and r.json()["fields"]["pairing"] == ["结对不存在或不在您的管辖范围内。"]


def test_a4_selector_answers_for_many_pairings_in_two_queries(cast, pairing, django_assert_num_queries):
    plan = create(cast, pairing).json()
    cast.client("first_helper").post(f"/api/v1/help-plans/{plan['id']}/publish/", {}, format="json")
    with django_assert_num_queries(3):  # plans, items, the measure code list
        shown = selectors.published_plans([pairing.pk, 999999])
    assert list(shown) == [pairing.pk] and shown[pairing.pk]["published_on"] == dt.date(2018, 5, 10)
