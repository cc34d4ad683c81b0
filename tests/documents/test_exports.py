"""xlsx exports of A1, A5, A6 and the lists, masked unless revealed (SPEC §7, §8)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from backend.documents import services
from backend.households.models import PersonalDataAccess
from tests.factories import HouseholdFactory

A1_COLUMNS = ["序号", "贫困户姓名", "家庭地址(镇街、村)", "致贫原因", "帮扶措施", "联系方式", "第一帮扶责任人姓名",
              "工作单位及职务", "联系方式", "第二帮扶责任人姓名", "工作单位及职务", "联系方式"]


def sheet(cast, kind, role="city_office", reveal=False, **raw):
    rendered, personal = services.render(actor=cast.actor(role), kind=kind, fmt="xlsx", raw=raw, reveal=reveal)
    ws = load_workbook(io.BytesIO(rendered.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()], personal


def test_a1_xlsx_has_the_notice_columns_and_masks_phones(cast, paired):
    rows, _ = sheet(cast, "A1", town=cast.town.code, on="2018-06-30")
    assert rows[0][0] == "帮扶责任工作台账"
    assert rows[1][0] == "镇（街）：城港路街道　　填报单位：城港路街道扶贫办　　日期：2018年6月30日"
    assert rows[2] == A1_COLUMNS
    row = rows[3]
    assert row[:3] == [1, "张德福", "城港路街道西关村"] and row[6:8] == ["李明", "莱州市财政局科员"]
    assert row[8] == cast.first_helper.phone[:3] + "****" + cast.first_helper.phone[-4:]


def test_s8_a1_xlsx_reveal_shows_whole_phones(cast, paired):
    rows, personal = sheet(cast, "A1", reveal=True, town=cast.town.code)
    assert rows[3][5] == cast.household.phone and rows[3][8] == cast.first_helper.phone
    assert f"households.Household:{cast.household.pk}" in personal.revealed


def test_a5_and_a6_xlsx(cast):
    from backend.directory.models import TownContact

    TownContact.objects.create(tenant=cast.tenant, town=cast.town, name="王刚", position="开发区管委办公室主任",
                               mobile="13705353761")
    rows, _ = sheet(cast, "A5")
    assert rows[2] == ["镇街", "姓名", "职务", "办公电话", "手机号码"]
    assert rows[3] == ["城港路街道", "王刚", "开发区管委办公室主任", "无", "13705353761"]
    rows, _ = sheet(cast, "A6")
    assert rows[2] == ["序号", "部门单位", "城港路街道", "合计"]
    assert rows[3] == [1, "莱州市财政局", 2, 2] and rows[4] == [None, "合计", 2, 2]


def test_household_list_masks_id_numbers_and_follows_scope(cast):
    HouseholdFactory(village__town__tenant=cast.tenant, village__tenant=cast.tenant)
    rows, _ = sheet(cast, "households", role="town_office")
    head_id = cast.household.members.get().id_number
    assert rows[2][:5] == ["序号", "户编号", "户主姓名", "户主证件号码", "联系电话"]
    assert len(rows) == 4 and rows[3][3] == head_id[:6] + "********" + head_id[-4:]
    rows, _ = sheet(cast, "households")
    assert len(rows) == 5


def test_pairing_and_miss_lists(cast, paired):
    from workflows.accountability.models import Miss

    Miss.objects.create(tenant=cast.tenant, key="visit:test", kind="visit", year=2018, pairing=paired,
                        person=cast.first_helper, role="first", organisation=cast.unit, town=cast.town,
                        household=cast.household, policy_version=1)
    rows, _ = sheet(cast, "pairings", role="unit_liaison")
    assert rows[3][1:3] == ["张德福", cast.household.code] and rows[3][11] == "帮扶中"
    rows, _ = sheet(cast, "misses", role="unit_liaison")
    assert rows[3][1:7] == ["未按要求入户走访", "时限核查", "已记录", 2018, "李明", "第一帮扶责任人"]
    assert PersonalDataAccess.objects.count() == 0
