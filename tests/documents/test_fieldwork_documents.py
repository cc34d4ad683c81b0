"""A3 attendance and the responsibility card (S14, S15), printed from the visit records."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from backend.documents import services
from backend.fieldwork import services as fieldwork
from backend.fieldwork.images import Upload
from tests.fieldwork.conftest import png

from .conftest import assert_good_pdf, keep_first_page, pdf_images, pdf_text, squeeze


@pytest.fixture
def visits(cast, paired):
    """Two visits and a call by the first helper in 2018 Q2, one visit confirmed; a call in Q1."""
    first = cast.actor("first_helper")
    entries = []
    for day, channel in ((dt.date(2018, 3, 28), "phone"), (dt.date(2018, 4, 12), "in_person"),
                         (dt.date(2018, 5, 6), "phone"), (dt.date(2018, 6, 3), "in_person")):
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 18, tzinfo=ZoneInfo("Asia/Shanghai")),
                                 tick=False):
            signed = {} if channel == "phone" else {
                "helper_signature": Upload(png()), "household_sign_method": "signature",
                "household_signer_name": "张德福", "household_signature": Upload(png(color=(0, 0, 90)))}
            entries.append(fieldwork.record(actor=first, pairing=paired, channel=channel, occurred_on=day,
                                            items=["policy"], summary="宣讲医疗救助政策，帮助预约复诊。", **signed))
    with time_machine.travel(dt.datetime(2018, 4, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        fieldwork.confirm(actor=cast.actor("second_helper"), visit=entries[1])
    return entries


def render(cast, kind, role="city_office", fmt="pdf", **raw):
    rendered, _ = services.render(actor=cast.actor(role), kind=kind, fmt=fmt, raw=raw)
    return rendered


def test_s14_a3_attendance_from_the_visit_records(cast, visits, tmp_path):
    rendered = render(cast, "A3", town=cast.town.code, quarter="2018Q2", on="2018-07-05")
    text = assert_good_pdf(rendered, tmp_path, "A3", [
        "附件3", "第一帮扶责任人帮扶工作考勤表", "序号", "贫困户姓名", "家庭地址", "(村)", "第一帮扶", "责任人姓名",
        "工作单位及职务", "联系方式", "帮扶记录", "城港路街道", "2018年第二季度", "张德福", "西关村", "李明",
        "莱州市财政局科员", "入户2次：4月12日、6月3日", "电话1次：5月6日", "第二帮扶责任人已确认入户1次",
        "注:此表由第二帮扶责任人负责填写汇总,每季度末定期上报镇街扶贫办,由镇街扶贫办汇总后报市扶贫办。"])
    assert "3月28日" not in squeeze(text)  # the Q1 call belongs to Q1's sheet


def test_s14_a3_xlsx_and_an_empty_quarter(cast, visits):
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(render(cast, "A3", fmt="xlsx", town=cast.town.code, quarter="2018Q3").content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(values_only=False)]
    assert rows[2] == ["序号", "贫困户姓名", "家庭地址(村)", "第一帮扶责任人姓名", "工作单位及职务", "联系方式", "帮扶记录"]
    assert rows[3][6] == "本季度无入户、电话记录"


def test_s15_card_main_and_counterpart_with_signed_log_and_qr(cast, visits, tmp_path):
    rendered = render(cast, "card", role="first_helper", household=cast.household.pk, on="2018-06-30")
    assert rendered.pages >= 2
    text = assert_good_pdf(rendered, tmp_path, "card", [
        "精准帮扶责任卡", "正卡（贫困户保管）", "副卡（第一帮扶责任人保管）", "扫码核实帮扶情况", "张德福",
        "城港路街道西关村", "第一帮扶责任人", "李明", "莱州市财政局科员", "第二帮扶责任人", "王芳", "帮扶实录（双签字）",
        "2018年4月12日", "2018年6月3日", "入户走访", "电话联系", "宣传普及扶贫政策", "帮助预约复诊", "贫困户签字：张德福",
        "帮扶计划尚未发布。"])
    pages = text.split("\f")
    assert "正卡" in squeeze(pages[0]) and "副卡" in squeeze(pages[-2] if not pages[-1].strip() else pages[-1])
    images = pdf_images(rendered.content, tmp_path)
    assert images.count(1) == 1 + 2 * 2 and images.count(2) == 5  # per copy: the QR, two double signatures


def test_s15_card_qr_code_opens_the_households_verification_page(cast, visits, tmp_path):
    """Read the QR code back from the printed page with zbar: it is the pairing's card address."""
    import shutil
    import subprocess

    from backend.fieldwork.cards import card_url

    rendered = render(cast, "card", household=cast.household.pk, on="2018-06-30")
    page = keep_first_page(rendered.content, "card-qr", dpi=200)  # a phone camera sees more than 80 dpi
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing: install zbar-tools (deploy/apt-packages.txt)"
    decoded = subprocess.run([zbarimg, "-q", "--raw", str(page)], capture_output=True, text=True).stdout.strip()
    assert decoded == card_url(visits[0].pairing)


def test_a_helper_gets_no_card_of_another_household(cast, visits):
    from backend.common.errors import NotFound
    from tests.factories import HouseholdFactory

    stranger = HouseholdFactory(village=cast.village)
    with pytest.raises(NotFound):
        render(cast, "card", role="first_helper", household=stranger.pk)
    with pytest.raises(NotFound, match="尚未结对"):
        render(cast, "card", household=stranger.pk)


def test_card_text_is_deterministic(cast, visits, tmp_path):
    first = render(cast, "card", household=cast.household.code, on="2018-06-30")
    second = render(cast, "card", household=cast.household.code, on="2018-06-30")
    assert pdf_text(first.content, tmp_path) == pdf_text(second.content, tmp_path)


def test_s6_quarterly_report_compiled_attested_and_resubmitted(cast, visits, tmp_path):
    from backend.common.errors import Conflict, Forbidden, NotFound
    from workflows.reporting import services as reporting

    town = cast.actor("town_office")
    with pytest.raises(NotFound, match="尚未建立"):
        render(cast, "quarterly", town=cast.town.code, quarter="2018Q2")
    with time_machine.travel(dt.datetime(2018, 7, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        report = reporting.open_report(actor=town, town=cast.town, year=2018, quarter=2)
        with pytest.raises(Conflict, match="尚未汇总"):
            render(cast, "quarterly", town=cast.town.code, quarter="2018Q2")
        reporting.compile_report(actor=town, report=report)
        reporting.attest(actor=cast.actor("second_helper"), report=report, note="李明本季度入户两次，情况属实。")
        reporting.submit(actor=town, report=report)
    rendered = render(cast, "quarterly", role="town_office", town=cast.town.code, quarter="2018Q2")
    assert_good_pdf(rendered, tmp_path, "quarterly", [
        "城港路街道2018年第二季度结对帮扶工作报告", "一、总体情况", "共有结对帮扶户1户", "第一帮扶责任人入户2次",
        "电话联系1次", "二、第二帮扶责任人确认情况", "王芳", "2018年7月3日", "李明本季度入户两次，情况属实。",
        "三、结对帮扶明细", "张德福", "4月12日、6月3日", "合计", "已报送", "第1次报送", "城港路街道扶贫办"])
    with pytest.raises(Forbidden):
        render(cast, "quarterly", role="first_helper", town=cast.town.code, quarter="2018Q2")
