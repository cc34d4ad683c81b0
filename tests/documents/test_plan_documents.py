"""A2 and A4 from the income statement and the published help plan; the plan in A1, the card and the village
disclosure (S4, S12, S16)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.common.errors import Conflict, NotFound
from backend.documents import services
from workflows.income import services as income
from workflows.plans import services as plans

from .conftest import assert_good_pdf, pdf_text, squeeze


@pytest.fixture
def plan(cast, paired):
    helper = cast.actor("first_helper")
    draft = plans.create(actor=helper, pairing=paired, headline="发展庭院种植，落实医疗救助",
                         goal="年人均纯收入稳定超过扶贫标准",
                         items=[{"measure": "01", "content": "入股村合作社葡萄园分红", "responsible": "村合作社",
                                 "expected_benefit": "年分红1200元", "expected_amount": "1200",
                                 "starts_on": dt.date(2018, 4, 1), "ends_on": dt.date(2018, 12, 31)},
                                {"measure": "06", "content": "办理慢性病门诊鉴定，落实大病保险", "responsible": "市医保中心",
                                 "expected_benefit": "医疗费用报销比例提高", "starts_on": dt.date(2018, 4, 1),
                                 "ends_on": dt.date(2018, 6, 30)}])
    return plans.publish(actor=helper, plan=draft, on=dt.date(2018, 4, 2))


@pytest.fixture
def statement(cast, paired):
    with time_machine.travel(dt.datetime(2018, 12, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        made = income.prepare(actor=cast.actor("first_helper"), household=cast.household, year=2018,
                              amounts={"A1": "1200", "B1": "800.50", "E1": "3960", "F1": "300"})
        return income.verify(actor=cast.actor("second_helper"), statement=made)


def render(cast, kind, role="city_office", fmt="pdf", **raw):
    rendered, _ = services.render(actor=cast.actor(role), kind=kind, fmt=fmt, raw=raw)
    return rendered


def test_a4_responsibility_list_from_the_published_plan(cast, plan, tmp_path):
    rendered = render(cast, "A4", role="first_helper", household=cast.household.code, on="2018-04-02")
    assert_good_pdf(rendered, tmp_path, "A4", [
        "附件4", "第一帮扶责任人帮扶责任清单", "贫困户姓名", "家庭地址", "(镇街、村)", "第一帮扶", "责任人姓名",
        "工作单位及职务", "帮扶计划", "张德福", "城港路街道西关村", "李明", "莱州市财政局科员",
        "帮扶计划：发展庭院种植，落实医疗救助", "1. 产业扶贫：入股村合作社葡萄园分红", "预期成效：年分红1200元",
        "2. 健康扶贫", "2018年4月2日"])


def test_a4_needs_a_published_plan(cast, paired):
    with pytest.raises(Conflict, match="尚未公布"):
        render(cast, "A4", household=cast.household.pk)


def test_s16_a2_income_table_has_the_annex_lines_and_totals(cast, statement, tmp_path):
    rendered = render(cast, "A2", role="second_helper", household=cast.household.pk, year="2018", on="2018-12-25")
    text = assert_good_pdf(rendered, tmp_path, "A2", [
        "附件2", "年度收入明细表", "收入类型", "收入来源", "收入情况(元/年)", "A扶贫产业项目收入", "项目收益分红",
        "1,200.00", "B财产性收入", "土地出租", "800.50", "E转移性收入", "低保", "3,960.00", "F生产经营性支出",
        "种植、养殖、经营小买卖等支出", "300.00", "家庭总收入", "A+B+C+D+E", "5,960.50", "家庭年纯收入",
        "A+B+C+D+E-F", "5,660.50", "家庭年人均纯收入", "(A+B+C+D+E-F)/家庭人口数", "第二帮扶责任人核实：王芳",
        "2018年12月20日", "户主：张德福", "家庭人口数：1人"])
    assert "孝善养老金" in squeeze(text) and "退伍军人抚恤金" in squeeze(text)


def test_a2_missing_statement_and_scope(cast, paired, statement):
    with pytest.raises(NotFound, match="张德福户2017年的年度收入明细表"):
        render(cast, "A2", household=cast.household.pk, year="2017")
    with pytest.raises(NotFound):
        render(cast, "A2", role="unit_liaison", household=cast.household.pk, year="2018")


def test_the_published_plan_reaches_a1_the_card_and_the_disclosure(cast, plan, tmp_path):
    a1 = squeeze(pdf_text(render(cast, "A1", town=cast.town.code, on="2018-06-30").content, tmp_path))
    assert "产业扶贫：入股村合作社" in a1 and "落实大病保险" in a1
    card = squeeze(pdf_text(render(cast, "card", household=cast.household.pk).content, tmp_path))
    assert "发展庭院种植，落实医疗救助" in card and "入股村合作社葡萄园分红" in card and "帮扶计划尚未发布" not in card
    disclosure = squeeze(pdf_text(render(cast, "disclosure", village=cast.village.code).content, tmp_path))
    assert "发展庭院种植，落实医疗救助" in disclosure and "入股村合作社葡萄园分红" not in disclosure
