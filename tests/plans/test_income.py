"""S16 / A2 annual income statements: the 附件2 lines as per-year data, Decimal totals against hand-computed
cases, the flags, the verify → distribute | return workflow, Chinese errors, scope and isolation."""

import datetime as dt
from decimal import Decimal

import pytest

from backend.tenancy.models import Policy
from notifications.models import Notification
from workflows.core.models import TransitionLog
from workflows.income import lines as year_lines
from workflows.income import services
from workflows.income.models import IncomeLine, IncomeStatement, PovertyLine
from workflows.income.totals import Entry, compute

pytestmark = pytest.mark.usefixtures("today")

ANNEX2 = [
    ("A", "扶贫产业项目收入", ["项目收益分红", "参与项目打工收入"]),
    ("B", "财产性收入", ["土地出租", "房屋、房产出租", "其他"]),
    ("C", "经营性收入", ["种植、养殖收入", "经营小买卖、手工作坊收入", "其他"]),
    ("D", "工资性收入", ["长工、短工、手工活收入"]),
    ("E", "转移性收入", ["低保", "五保", "高龄补贴", "残疾补贴", "计划生育补贴", "孝善养老金", "教育资助", "雨露计划",
                      "经常来走访慰问金", "生态补偿金", "退伍军人抚恤金、老党员补贴、退休干部教师", "种粮补贴", "社会捐助",
                      "移民补贴", "其他"]),
    ("F", "生产经营性支出", ["种植、养殖、经营小买卖等支出"]),
]


def post(cast, household, year, amounts, role="first_helper"):
    return cast.client(role).post("/api/v1/income-statements/", {"household": household.pk, "year": year,
                                                                  "amounts": amounts}, format="json")


def test_s16_the_form_lists_the_lines_of_annex_2_exactly(cast):
    r = cast.client("town_office").get("/api/v1/income-statements/lines/?year=2018")
    assert r.status_code == 200
    got = [(row["category"], row["category_label"], row["label"], row["counts_toward_net"]) for row in r.json()]
    assert got == [(c, cl, label, True) for c, cl, labels in ANNEX2 for label in labels]
    assert not IncomeLine.objects.exists()  # reading does not define the year
    assert [row["code"] for row in r.json()][:3] == ["A1", "A2", "B1"]


def test_s16_a_year_is_defined_from_the_tenants_latest_earlier_year(cast):
    year_lines.for_year(cast.tenant, 2018)
    IncomeLine.objects.filter(tenant=cast.tenant, year=2018, code="E3").update(counts_toward_net=False)
    lines_2019 = {line.code: line.counts_toward_net for line in year_lines.for_year(cast.tenant, 2019)}
    assert lines_2019["E3"] is False and lines_2019["E1"] is True and len(lines_2019) == 25


def test_s16_totals_match_a_hand_computed_statement(cast, pairing):
    # gross = 500 + 1200.50 + 800 + 3000.25 + 2400 + 3360 + 600 = 11860.75; net = 11860.75 − 900 = 10960.75;
    # per capita = 10960.75 ÷ 3 = 3653.58333… → 3653.58 (half up to the fen).
    cast.household.size = 3
    cast.household.save()
    amounts = {"A1": "500", "A2": "1200.50", "B1": 800, "C1": "3000.25", "D1": "2400", "E1": "3360", "E6": "600.00",
               "F1": "900", "E2": "", "B2": "0"}
    r = post(cast, cast.household, 2018, amounts)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["gross"], body["expenses"], body["net"], body["per_capita"]) == (
        "11860.75", "900.00", "10960.75", "3653.58")
    assert body["household_size"] == 3 and body["state"] == "draft"
    assert {c["category"]: c["total"] for c in body["categories"]} == {
        "A": "1700.50", "B": "800.00", "C": "3000.25", "D": "2400.00", "E": "3960.00", "F": "900.00"}
    lines = {row["code"]: row["amount"] for row in body["lines"]}
    assert len(lines) == 25 and lines["E1"] == "3360.00" and lines["E2"] == "0.00"
    assert body["below_line"] is None and body["poverty_line"] is None  # no line for 2018 in this tenant


@pytest.mark.parametrize("entries,size,expected", [
    # 10.05 ÷ 2 = 5.025: half up gives 5.03 (banker's rounding would give 5.02).
    ([Entry("D", Decimal("10.05"))], 2, ("10.05", "10.05", "5.03")),
    # 100 − 400 = −300 over 4 people: −75.00; a loss is shown, not hidden.
    ([Entry("C", Decimal("100")), Entry("F", Decimal("400"))], 4, ("100", "-300", "-75.00")),
    # 1000 ÷ 3 = 333.333… → 333.33; 2000 ÷ 3 = 666.666… → 666.67.
    ([Entry("E", Decimal("1000"))], 3, ("1000", "1000", "333.33")),
    ([Entry("E", Decimal("2000"))], 3, ("2000", "2000", "666.67")),
    # A line that does not count: gross 6000, net 5000, per capita 2500.00.
    ([Entry("D", Decimal("5000")), Entry("E", Decimal("1000"), counts_toward_net=False)], 2,
     ("6000", "5000", "2500.00")),
])
def test_s16_decimal_rounding_cases(entries, size, expected):
    totals = compute(entries, size)
    assert (totals.gross, totals.net, totals.per_capita) == tuple(Decimal(x) for x in expected)
    assert str(totals.per_capita) == expected[2]


def test_s16_a_line_that_does_not_count_toward_net_income(cast, pairing):
    year_lines.for_year(cast.tenant, 2018)
    IncomeLine.objects.filter(tenant=cast.tenant, year=2018, code="E3").update(counts_toward_net=False)
    cast.household.size = 2
    cast.household.save()
    body = post(cast, cast.household, 2018, {"D1": "5000", "E3": "1000"}).json()
    assert (body["gross"], body["net"], body["per_capita"]) == ("6000.00", "5000.00", "2500.00")


@pytest.mark.parametrize("amounts,field,message", [
    ({"E1": "-280"}, "amounts.E1", "“E转移性收入·低保”的金额不能为负数（填写的是-280元）。"),
    ({"F1": -1}, "amounts.F1", "“F生产经营性支出·种植、养殖、经营小买卖等支出”的金额不能为负数（填写的是-1元）。"),
    ({"C1": "12.345"}, "amounts.C1", "“C经营性收入·种植、养殖收入”的金额最多保留两位小数（元、角、分）。"),
    ({"D1": "三千"}, "amounts.D1", "“D工资性收入·长工、短工、手工活收入”的金额“三千”不是有效的数字。"),
    ({"X9": "1"}, "amounts.X9", "“X9”不是本年度收入明细表中的项目。"),
])
def test_s16_bad_amounts_are_refused_naming_the_line(cast, pairing, amounts, field, message):
    r = post(cast, cast.household, 2018, {"D1": "100", **amounts})
    assert r.status_code == 400
    assert r.json()["fields"] == {field: [message]} and r.json()["message"] == message
    assert not IncomeStatement.objects.exists()


def _verified(cast, year, amounts):
    statement = services.prepare(actor=cast.actor("first_helper"), household=cast.household, year=year,
                                 amounts=amounts)
    return services.verify(actor=cast.actor("second_helper"), statement=statement)


def test_s16_flags_under_the_line_big_change_and_a_missing_item(cast, pairing):
    PovertyLine.objects.create(tenant=cast.tenant, year=2018, standard="02", amount=Decimal("3609"), source="测试")
    PovertyLine.objects.create(tenant=cast.tenant, year=2018, standard="01", amount=Decimal("3535"), source="测试")
    _verified(cast, 2017, {"D1": "1500", "E2": "500"})  # per capita 2000.00 (size 1)
    body = post(cast, cast.household, 2018, {"D1": "3000", "E1": "600"}).json()  # 3600.00
    assert body["per_capita"] == "3600.00" and body["below_line"] is True
    assert body["poverty_line"] == {"year": 2018, "standard": "02", "standard_label": "省定标准",
                                    "amount": "3609.00", "source": "测试", "verified": False}
    # (3600 − 2000) ÷ 2000 = 0.8 > 0.5
    assert body["last_per_capita"] == "2000.00" and body["change_ratio"] == "0.8000" and body["big_change"] is True
    assert body["missing_lines"] == [{"code": "E2", "label": "E转移性收入·五保", "last_amount": "500.00"}]
    # A household on the national standard is judged against that line.
    cast.household.standard = "01"
    cast.household.save()
    statement = IncomeStatement.objects.get(year=2018)
    r = cast.client("first_helper").patch(f"/api/v1/income-statements/{statement.pk}/",
                                          {"amounts": {"D1": "2000", "E1": "1000", "E2": "10"}}, format="json")
    body = r.json()
    assert body["per_capita"] == "3010.00" and body["poverty_line"]["amount"] == "3535.00" and body["below_line"]
    # (3010 − 2000) ÷ 2000 = 0.505: still more than half; nothing missing now.
    assert body["change_ratio"] == "0.5050" and body["big_change"] is True and body["missing_lines"] == []


def test_s16_the_change_threshold_is_the_tenants_policy(cast, pairing):
    assert cast.policy.income_change_alert_ratio == Decimal("0.50")
    Policy.objects.create(tenant=cast.tenant, income_change_alert_ratio=Decimal("1.00"))
    _verified(cast, 2017, {"D1": "2000"})
    body = post(cast, cast.household, 2018, {"D1": "3600"}).json()
    assert body["change_ratio"] == "0.8000" and body["big_change"] is False
    exact = post(cast, cast.household, 2016, {"D1": "1"}).json()
    assert exact["big_change"] is False and exact["last_per_capita"] is None


def test_s16_verify_distribute_and_return_workflow(cast, pairing):
    body = post(cast, cast.household, 2018, {"D1": "4000"}).json()
    url = f"/api/v1/income-statements/{body['id']}"
    r = cast.client("first_helper").post(f"{url}/verify/", {}, format="json")
    assert r.status_code == 403 and r.json()["message"] == "年度收入明细表由该户的第二帮扶责任人核实。"
    r = cast.client("second_helper").post(f"{url}/distribute/", {}, format="json")
    assert r.status_code == 409 and "当前状态“草稿”下不能执行“发放到户”" in r.json()["message"]
    r = cast.client("second_helper").post(f"{url}/verify/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "verified" and r.json()["verified_by_name"] == "王芳"
    r = cast.client("first_helper").patch(url + "/", {"amounts": {"D1": "1"}}, format="json")
    assert r.status_code == 409 and "如有错误请先退回" in r.json()["message"]
    r = cast.client("town_office").post(f"{url}/return/", {}, format="json")
    assert r.status_code == 400 and r.json()["fields"]["reason"] == ["退回须说明原因。"]
    r = cast.client("town_office").post(f"{url}/return/", {"reason": "低保金额与民政数据不符"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert r.json()["return_reason"] == "低保金额与民政数据不符" and r.json()["verified_by"] is None
    r = cast.client("first_helper").patch(url + "/", {"amounts": {"D1": "3900", "E1": "3360"}}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "draft" and r.json()["net"] == "7260.00"
    assert cast.client("second_helper").post(f"{url}/verify/", {}, format="json").status_code == 200
    r = cast.client("first_helper").post(f"{url}/distribute/", {"on": "2018-05-11"}, format="json")
    assert r.status_code == 400 and "晚于今天" in r.json()["fields"]["on"][0]
    r = cast.client("first_helper").post(f"{url}/distribute/", {"on": "2018-05-10"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "distributed" and r.json()["distributed_on"] == "2018-05-10"
    steps = [t.transition for t in TransitionLog.objects.for_object(IncomeStatement.objects.get())]
    assert steps == ["create", "verify", "return_for_correction", "reopen", "verify", "distribute"]


def test_s16_one_statement_per_household_and_year_and_not_for_the_future(cast, pairing):
    assert post(cast, cast.household, 2018, {"D1": "1"}).status_code == 201
    r = post(cast, cast.household, 2018, {"D1": "2"}, role="town_office")
    assert r.status_code == 409 and r.json()["message"] == "张德福户2018年的收入明细表已存在。"
    r = post(cast, cast.household, 2019, {"D1": "2"})
    assert r.status_code == 400 and r.json()["fields"]["year"] == ["2019年尚未开始，不能编制该年度收入明细表。"]


def test_s16_unpaired_household_has_no_verifier(cast):
    r = post(cast, cast.household, 2018, {"D1": "1"}, role="town_office")
    assert r.status_code == 400 and "尚未结对" in r.json()["fields"]["household"][0]


def test_s16_scope_and_isolation(cast, other, pairing):
    from tests.plans.conftest import activate

    activate(other, other.household, other.first_helper, other.second_helper)
    theirs = post(other, other.household, 2018, {"D1": "1"}).json()
    mine = post(cast, cast.household, 2018, {"D1": "1"}).json()
    for role in ("city_office", "town_office", "second_helper"):
        client = cast.client(role)
        assert client.get(f"/api/v1/income-statements/{theirs['id']}/").status_code == 404
        assert [s["id"] for s in client.get("/api/v1/income-statements/").json()["results"]] == [mine["id"]]
    assert cast.client("unit_liaison").get(f"/api/v1/income-statements/{mine['id']}/").status_code == 404
    r = post(cast, other.household, 2018, {"D1": "1"}, role="city_office")
    assert r.status_code == 400 and r.json()["fields"]["household"] == ["贫困户不存在或不在您的管辖范围内。"]


def test_s16_poverty_lines_are_listed_with_source_and_verification(cast, other):
    PovertyLine.objects.create(tenant=cast.tenant, year=2018, standard="01", amount=Decimal("3535"),
                               source="常用数字，未核实", verified=False)
    PovertyLine.objects.create(tenant=other.tenant, year=2018, standard="01", amount=Decimal("1"), source="x")
    rows = cast.client("first_helper").get("/api/v1/income-statements/poverty-lines/").json()
    assert rows == [{"year": 2018, "standard": "01", "standard_label": "国家标准", "amount": "3535.00",
                     "source": "常用数字，未核实", "verified": False}]


def test_s16_statement_dates_in_the_past_year(cast, pairing):
    statement = services.prepare(actor=cast.actor("town_office"), household=cast.household, year=2017,
                                 amounts={"D1": "100"})
    assert statement.pairing == pairing and statement.prepared_by == cast.users["town_office"]
    assert statement.created_at.date() == dt.date(2018, 5, 10)


def test_s16_s7_after_a_replacement_the_new_second_helper_verifies(cast, pairing):
    from tests import factories as f
    from workflows.pairings import services as pairings

    statement = services.prepare(actor=cast.actor("first_helper"), household=cast.household, year=2018,
                                 amounts={"D1": "100"})
    office = cast.actor("city_office")
    pairings.end(actor=office, pairing=pairing, on=dt.date(2018, 5, 10), reason_code="replaced")
    second = f.PersonFactory(organisation=cast.town, name="钱新")
    new = pairings.assign(actor=office, household=cast.household, first_helper=cast.first_helper,
                          second_helper=second, on=dt.date(2018, 5, 10))
    from backend.bangfu.accounts import add_user

    login = add_user(username="qian", tenant_code=cast.tenant.code, org_code=cast.town.code, roles=["second_helper"],
                     password="secret-pass-123", person_id=second.pk).user
    client = type(cast.client("city_office"))()
    client.force_authenticate(login)
    assert client.get(f"/api/v1/income-statements/{statement.pk}/").status_code == 200
    r = client.post(f"/api/v1/income-statements/{statement.pk}/verify/", {}, format="json")
    assert r.status_code == 200 and r.json()["verified_by_name"] == "钱新"
    assert new.household_id == statement.household_id
    r = cast.client("second_helper").get(f"/api/v1/income-statements/{statement.pk}/")
    assert r.status_code == 200  # the helper it was prepared under still sees it


def test_s16_submitting_tells_the_second_helper_and_returning_tells_the_first(cast, pairing):
    url = f"/api/v1/income-statements/{post(cast, cast.household, 2018, {'D1': '4000'}).json()['id']}"
    first, second = cast.users["first_helper"], cast.users["second_helper"]

    def told(user, kind):
        return list(Notification.objects.filter(user=user, kind=kind).order_by("id").values_list("body", flat=True))

    r = cast.client("first_helper").post(f"{url}/submit/", {}, format="json")
    assert r.status_code == 400 and r.json()["fields"]["amounts"] == ["请填写收入明细。"]
    assert told(second, "income_submitted") == []
    r = cast.client("first_helper").post(f"{url}/submit/", {"amounts": {"D1": "4200"}}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "draft" and r.json()["per_capita"] == "4200.00"
    [body] = told(second, "income_submitted")
    assert "张德福的2018年收入明细表" in body and "人均纯收入4,200.00元" in body
    # Submitting again in the same round does not tell them twice.
    cast.client("first_helper").post(f"{url}/submit/", {"amounts": {"D1": "4300"}}, format="json")
    assert len(told(second, "income_submitted")) == 1
    r = cast.client("second_helper").post(f"{url}/return/", {"reason": "务工收入未扣除往返路费"}, format="json")
    assert r.status_code == 200
    [returned] = told(first, "income_returned")
    assert "退回原因：务工收入未扣除往返路费" in returned
    r = cast.client("first_helper").post(f"{url}/submit/", {"amounts": {"D1": "3900"}}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "draft"
    assert len(told(second, "income_submitted")) == 2 and "人均纯收入3,900.00元" in told(second, "income_submitted")[1]
