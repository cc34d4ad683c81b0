"""Every document renders in Chinese with embedded fonts and no missing glyph (SPEC §7; A1, A5, A6)."""

from __future__ import annotations

from backend.directory.models import TownContact
from backend.documents import services
from backend.documents.pdf import html_to_pdf

from .conftest import assert_good_pdf, pdf_text, squeeze

A1_HEADINGS = ["附件1", "帮扶责任工作台账", "序号", "贫困户姓名", "家庭地址", "(镇街、村)", "致贫原因", "帮扶措施", "联系方式",
               "第一帮扶", "责任人姓名", "工作单位及职务", "第二帮扶"]


def render(cast, kind, fmt="pdf", role="city_office", **raw):
    rendered, _ = services.render(actor=cast.actor(role), kind=kind, fmt=fmt, raw=raw)
    return rendered


def test_a1_ledger_has_the_notice_columns_and_the_pairing(cast, paired, tmp_path):
    rendered = render(cast, "A1", town=cast.town.code, on="2018-06-30")
    text = assert_good_pdf(rendered, tmp_path, "A1", A1_HEADINGS + [
        "城港路街道", "张德福", "西关村", "因病", "李明", "莱州市财政局科员", "王芳", "城港路街道科员",
        "城港路街道扶贫办", "2018年6月30日", "第 1 页 / 共 1 页"])
    flat = squeeze(text)
    # Phones masked (SPEC §8): the helper's 138…, the household's 139… never appear whole.
    assert cast.first_helper.phone not in flat and cast.household.phone not in flat
    assert cast.first_helper.phone[:3] + "****" + cast.first_helper.phone[-4:] in flat


def test_a1_lists_an_in_scope_household_still_without_helpers(cast, tmp_path):
    rendered = render(cast, "A1", town=cast.town.code, on="2018-03-20")
    assert "张德福" in squeeze(pdf_text(rendered.content, tmp_path))


def test_a1_repeats_the_header_on_every_page_and_numbers_pages(cast, paired, tmp_path):
    from tests.factories import HouseholdFactory

    for _ in range(60):
        HouseholdFactory(village=cast.village)
    rendered = render(cast, "A1", town=cast.town.code, on="2018-06-30")
    assert rendered.pages >= 2
    pages = pdf_text(rendered.content, tmp_path).split("\f")
    for number, page in enumerate(pages[:rendered.pages], 1):
        flat = squeeze(page)
        assert "贫困户姓名" in flat and "工作单位及职务" in flat, f"page {number} lacks the header"
        assert f"第{number}页/共{rendered.pages}页" in flat
        assert "城港路街道扶贫办" in flat and "2018年6月30日" in flat


def test_a1_is_deterministic(cast, paired, tmp_path):
    first = render(cast, "A1", town=cast.town.code, on="2018-06-30")
    second = render(cast, "A1", town=cast.town.code, on="2018-06-30")
    assert pdf_text(first.content, tmp_path) == pdf_text(second.content, tmp_path)


def test_a5_town_contacts(cast, tmp_path):
    TownContact.objects.create(tenant=cast.tenant, town=cast.town, name="王刚", position="开发区管委办公室主任",
                               office_phone="", mobile="13705353761", order=0)
    TownContact.objects.create(tenant=cast.tenant, town=cast.town, name="史越", position="城港路扶贫办科员",
                               office_phone="2296895", mobile="15866463532", order=1)
    rendered = render(cast, "A5")
    assert_good_pdf(rendered, tmp_path, "A5", [
        "附件5", "部门单位结对帮扶工作镇街联系人名单", "镇街", "姓名", "职务", "办公电话", "手机号码",
        "王刚", "开发区管委办公室主任", "无", "13705353761", "史越", "2296895", "15866463532"])


def test_a6_allocation_units_by_towns(cast, tmp_path):
    rendered = render(cast, "A6", on="2018-03-18")
    assert_good_pdf(rendered, tmp_path, "A6", [
        "附件6", "部门单位“第一帮扶责任人”分配明细表", "序号", "部门单位", "合计", "莱州市财政局", "2018年3月18日"])


def test_the_renderer_refuses_to_read_files_or_the_network():
    html = ('<html><body><p>图片</p><img src="file:///etc/hostname"><img src="http://127.0.0.1:18601/x.png">'
            '</body></html>')
    result = html_to_pdf(html)
    assert any("refused" in w or "disallowed" in w for w in result.warnings), result.warnings


def test_s12_village_disclosure_shows_only_whitelisted_fields(cast, paired, tmp_path):
    from backend.directory.models import TownContact
    from tests.factories import HouseholdFactory

    TownContact.objects.create(tenant=cast.tenant, town=cast.town, name="史越", position="城港路扶贫办科员",
                               office_phone="2296895", mobile="15866463532")
    elsewhere = HouseholdFactory(village__town=cast.town, village__tenant=cast.tenant, head_name="别村户")
    rendered = render(cast, "disclosure", role="second_helper", village=cast.village.code, on="2018-06-30")
    text = assert_good_pdf(rendered, tmp_path, "disclosure", [
        "西关村结对帮扶责任公示", "镇（街）：城港路街道", "户主姓名", "所在村", "家庭人口", "脱贫状态", "致贫原因",
        "第一帮扶", "工作单位", "张德福", "西关村", "已脱贫（享受政策）", "因病", "李明", "莱州市财政局", "王芳",
        "城港路街道", "监督电话：2296895"])
    flat = squeeze(text)
    member = cast.household.members.get()
    for secret in (cast.household.phone, cast.household.phone[-4:] + "", member.id_number[-4:], member.id_number[:6],
                   cast.first_helper.phone[-4:], "15866463532", elsewhere.head_name):
        assert secret not in flat, secret
