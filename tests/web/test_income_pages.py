"""Annual income statements (附件2, S16/A2) on the pages: the first helper opens and fills the year's lines
(per-year data), sees the totals and the service's flags and submits; the second helper verifies or returns with
a reason; the town office hands it to the household. Bad input is named next to its field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from workflows.income import services as income
from workflows.income.models import IncomeLine, IncomeStatement, PovertyLine

from .helpers import active_pairing, signed_in, text, today


def line_error(page: str, code: str, message: str) -> bool:
    return bool(re.search(rf'<div class="field invalid" data-line="{code}">(?:(?!</div>).)*?'
                          rf'<p class="error" id="id_amount-{code}-error">{re.escape(message)}', page))


@pytest.fixture
def pairing(cast):
    return active_pairing(cast)


@pytest.fixture
def year(cast):
    return today(cast.tenant).year


def submit(client, pairing, year, size="2", **amounts):
    return client.post(f"/my/{pairing.pk}/income/{year}/", {
        "action": "submit", "household_size": size, "note": "",
        **{f"amount-{code}": value for code, value in amounts.items()}})


def open_statement(cast, pairing, year):
    return signed_in(cast, "first_helper").post(f"/my/{pairing.pk}/income/", {"year": str(year)})


def test_a2_first_helper_opens_fills_and_submits_and_sees_totals_and_flags(cast, pairing, year):
    # Last year's verified statement: D1 wages and E1 低保; this year the 低保 is gone and income fell.
    last = income.prepare(actor=cast.actor("first_helper"), household=cast.household, year=year - 1,
                          amounts={"D1": "8000", "E1": "2400"})
    income.verify(actor=cast.actor("second_helper"), statement=last)
    PovertyLine.objects.create(tenant=cast.tenant, year=year, standard=cast.household.standard, amount="6000",
                               source="测试用标准")
    helper = signed_in(cast, "first_helper")
    household = text(helper.get(f"/my/{pairing.pk}/"))
    assert f'href="/my/{pairing.pk}/income/"' in household and "填报年度收入明细表" in household
    opened = open_statement(cast, pairing, year)
    assert opened.status_code == 302 and opened["Location"] == f"/my/{pairing.pk}/income/{year}/"
    statement = IncomeStatement.objects.get(year=year)
    assert statement.state == "draft"
    # The lines come from the year's data, not the template.
    IncomeLine.objects.filter(tenant=cast.tenant, year=year, code="C1").update(label="种植、养殖收入（本年口径）")
    form = text(helper.get(f"/my/{pairing.pk}/income/{year}/"))
    assert '<label for="id_amount-C1">种植、养殖收入（本年口径）</label>' in form
    assert form.count('name="amount-') == IncomeLine.objects.filter(tenant=cast.tenant, year=year).count() == 25
    assert "<legend>F 生产经营性支出</legend>" in form
    done = submit(helper, pairing, year, size="2", D1="5000", C1="1200.50", F1="600")
    assert done.status_code == 302
    statement.refresh_from_db()
    # gross = 5000 + 1200.50 = 6200.50; net = 6200.50 − 600 = 5600.50; per capita = 5600.50 ÷ 2 = 2800.25.
    assert (statement.gross, statement.net, statement.per_capita, statement.household_size) == (
        Decimal("6200.50"), Decimal("5600.50"), Decimal("2800.25"), 2)
    page = text(helper.get(f"/my/{pairing.pk}/income/{year}/"))
    assert '<dd data-total="gross">6200.50元' in page and '<dd data-total="net">5600.50元' in page
    assert "<strong>2800.25元</strong>" in page and "已提交" in page
    assert f"人均纯收入2800.25元，低于{year}年扶贫标准6000.00元。" in page
    # Last year: (8000 + 2400) ÷ 1 = 10400; now 2800.25, a fall of 73.1 %.
    assert ('<li data-flag="big-change"><span class="tag bad">提示</span> 与上年人均纯收入10400.00元相比变化超过50%'
            '（-73.1%）') in page
    assert ('<li data-flag="missing-line"><span class="tag bad">提示</span> 上年有“E转移性收入·低保”2400.00元，'
            '本年未填写') in page
    assert 'value="1200.50"' in page  # what was saved is in the form again
    listed = text(helper.get(f"/my/{pairing.pk}/income/"))
    assert re.search(rf'<li data-year="{year}" data-state="draft">.*?人均纯收入2800.25元 '
                     r'<span class="tag bad">低于扶贫标准</span> <span class="tag bad">变化过大</span>', listed)
    # With the 低保 back and a single-person household, the change stays within half and the line is met.
    submit(helper, pairing, year, size="1", D1="5000", E1="2400")
    page = text(helper.get(f"/my/{pairing.pk}/income/{year}/"))
    assert 'data-flag="big-change"' not in page and 'data-flag="missing-line"' not in page
    assert f"人均纯收入达到{year}年扶贫标准6000.00元。" in page


def test_a2_negative_amounts_and_bad_input_are_named_next_to_their_fields(cast, pairing, year):
    open_statement(cast, pairing, year)
    helper = signed_in(cast, "first_helper")
    refused = submit(helper, pairing, year, D1="-300", E1="一千", C1="12.345")
    assert refused.status_code == 422
    page = text(refused)
    assert line_error(page, "D1", "“D工资性收入·长工、短工、手工活收入”的金额不能为负数（填写的是-300元）。")
    assert 'value="-300"' in page and 'value="一千"' in page  # what was typed stays
    statement = IncomeStatement.objects.get()
    assert statement.gross == 0 and not statement.amounts.exists()
    bad_number = text(submit(helper, pairing, year, E1="一千"))
    assert line_error(bad_number, "E1", "“E转移性收入·低保”的金额“一千”不是有效的数字。")
    fen = text(submit(helper, pairing, year, C1="12.345"))
    assert line_error(fen, "C1", "“C经营性收入·种植、养殖收入”的金额最多保留两位小数（元、角、分）。")
    size = text(submit(helper, pairing, year, size="0", D1="100"))
    assert re.search(r'<div class="field invalid"><label for="id_household_size">家庭人口数</label>.*?'
                     r'<p class="error" id="id_household_size-error">家庭人口数至少为1人。', size)
    not_a_number = submit(helper, pairing, year, size="两", D1="100")
    assert not_a_number.status_code == 422 and "家庭人口数须为整数。" in text(not_a_number)
    future = open_statement(cast, pairing, year + 1)
    assert future.status_code == 422
    assert re.search(rf'<label for="id_year">年度</label>.*?<p class="error" id="id_year-error">{year + 1}年尚未开始',
                     text(future))
    assert not IncomeStatement.objects.filter(year=year + 1).exists()


def test_a2_second_helper_returns_with_a_reason_verifies_and_the_town_office_distributes(cast, pairing, year):
    open_statement(cast, pairing, year)
    first = signed_in(cast, "first_helper")
    submit(first, pairing, year, D1="9000")
    second = signed_in(cast, "second_helper")
    page = text(second.get(f"/my/{pairing.pk}/income/{year}/"))
    assert 'id="statement-form"' not in page and "核实无误" in page and '<tr data-line="D1">' in page
    no_reason = second.post(f"/my/{pairing.pk}/income/{year}/", {"action": "return", "return-reason": " "})
    assert no_reason.status_code == 422
    assert re.search(r'<label for="id_return-reason">退回原因</label>.*?<p class="error"[^>]*>退回须说明原因。',
                     text(no_reason))
    returned = second.post(f"/my/{pairing.pk}/income/{year}/", {"action": "return",
                                                                "return-reason": "工资收入与务工合同不符"})
    assert returned.status_code == 302
    statement = IncomeStatement.objects.get()
    assert statement.state == "returned"
    page = text(first.get(f"/my/{pairing.pk}/income/{year}/"))
    assert "退回原因：工资收入与务工合同不符" in page and 'id="statement-form"' in page
    assert submit(first, pairing, year, D1="7500").status_code == 302
    statement.refresh_from_db()
    assert statement.state == "draft" and statement.gross == 7500
    assert second.post(f"/my/{pairing.pk}/income/{year}/", {"action": "verify"}).status_code == 302
    statement.refresh_from_db()
    assert statement.state == "verified" and statement.verified_by == cast.second_helper
    # The town office: verified statements wait for it by default.
    town = signed_in(cast, "town_office")
    assert "收入明细表" in text(town.get("/"))
    listed = text(town.get("/income/"))
    assert re.search(rf'<tr data-statement="{statement.pk}" data-state="verified">.*?张德福', listed)
    assert f'data-statement="{statement.pk}"' not in text(town.get("/income/?state=distributed"))
    tomorrow = today(cast.tenant) + dt.timedelta(days=1)
    late = town.post(f"/income/{statement.pk}/", {"action": "distribute", "distribute-on": tomorrow.isoformat()})
    assert late.status_code == 422
    assert re.search(r'<label for="id_distribute-on">发放日期</label>.*?<p class="error"[^>]*>发放日期.*?晚于今天。',
                     text(late))
    bad = town.post(f"/income/{statement.pk}/", {"action": "distribute", "distribute-on": "明天"})
    assert bad.status_code == 422 and "请填写有效的日期。" in text(bad)
    done = town.post(f"/income/{statement.pk}/", {"action": "distribute",
                                                  "distribute-on": today(cast.tenant).isoformat()})
    assert done.status_code == 302
    statement.refresh_from_db()
    assert statement.state == "distributed" and statement.distributed_on == today(cast.tenant)
    page = text(town.get(f"/income/{statement.pk}/"))
    assert "已发放到户" in page and 'id="distribute-form"' not in page
    assert "发放到户（已核实 → 已发放）" in page


def test_a2_wrong_roles_get_the_403_page(cast, pairing, year):
    open_statement(cast, pairing, year)
    second = signed_in(cast, "second_helper")
    refused = submit(second, pairing, year, D1="100")
    assert refused.status_code == 403 and "由该户的第一帮扶责任人填报" in text(refused)
    assert second.post(f"/my/{pairing.pk}/income/", {"year": str(year - 1)}).status_code == 403
    first = signed_in(cast, "first_helper")
    assert first.post(f"/my/{pairing.pk}/income/{year}/", {"action": "verify"}).status_code == 403
    assert IncomeStatement.objects.get().state == "draft" and IncomeStatement.objects.count() == 1
    assert signed_in(cast, "unit_liaison").get(f"/my/{pairing.pk}/income/").status_code == 403
    assert signed_in(cast, "town_office").get(f"/my/{pairing.pk}/income/{year}/").status_code == 403
    assert first.get("/income/").status_code == 403
    statement = IncomeStatement.objects.get()
    assert first.get(f"/income/{statement.pk}/").status_code == 403


def test_a2_another_tenants_statement_is_absent(cast, other, pairing, year):
    open_statement(cast, pairing, year)
    statement = IncomeStatement.objects.get()
    assert signed_in(other, "town_office").get(f"/income/{statement.pk}/").status_code == 404
    assert signed_in(other, "town_office").post(f"/income/{statement.pk}/", {
        "action": "return", "return-reason": "x"}).status_code == 404
    assert signed_in(other, "first_helper").get(f"/my/{pairing.pk}/income/{year}/").status_code == 404
    assert signed_in(other, "second_helper").post(f"/my/{pairing.pk}/income/{year}/",
                                                  {"action": "verify"}).status_code == 404
    assert f'data-statement="{statement.pk}"' not in text(signed_in(other, "city_office").get("/income/?state=all"))
    statement.refresh_from_db()
    assert statement.state == "draft"
    # A year the household has no statement for is absent too.
    assert signed_in(cast, "first_helper").get(f"/my/{pairing.pk}/income/{year - 3}/").status_code == 404
