"""S11: helper changes exported per town in the national system's field layout and codes."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from backend.directory.models import HelperCategory
from backend.documents import services
from tests.factories import PersonFactory, put_on_roster
from workflows.pairings import services as pairing_services


def export(cast, fmt="xlsx", **raw):
    rendered, _ = services.render(actor=cast.actor("town_office"), kind="national", fmt=fmt,
                                  raw={"town": cast.town.code, **raw})
    return rendered


def rows_of(rendered):
    wb = load_workbook(io.BytesIO(rendered.content))
    return [[c.value for c in row] for row in wb["帮扶责任人"].iter_rows(min_row=3)], wb  # empty cells read as None


def replace_first_helper(cast, paired):
    newcomer = PersonFactory(organisation=cast.unit, name="赵新", helper_category=HelperCategory.CITY_AGENCY,
                             phone="13611112222")
    put_on_roster(newcomer, cast.town)
    actor = cast.actor("town_office")
    pairing_services.end(actor=actor, pairing=paired, on=dt.date(2018, 5, 10), reason_code="replaced")
    pairing_services.assign(actor=actor, household=cast.household, first_helper=newcomer,
                            second_helper=cast.second_helper, on=dt.date(2018, 5, 10))
    return newcomer


def test_s11_first_quarter_adds_both_helpers(cast, paired):
    rows, wb = rows_of(export(cast, quarter="2018Q1", on="2018-03-31"))
    header, body = rows[0], rows[1:]
    assert header[:8] == ["序号", "行政区划代码(aar008)", "乡（镇）", "行政村", "户编号(aac001)", "户主姓名(aac029)",
                          "户主证件号码(aac031)", "帮扶责任人姓名"]
    assert [(r[7], r[8], r[12], r[13], r[14], r[15]) for r in body] == [
        ("李明", "1", "3", "20180319", None, "1"), ("王芳", "2", "4", "20180319", None, "1")]
    assert body[0][4] == cast.household.code and body[0][6].startswith("370683") and "*" in body[0][6]
    assert [r[0] for r in wb["代码说明"].iter_rows(min_row=4, values_only=True)][:2] == ["帮扶责任人类别"] * 2


def test_s11_a_replacement_ends_one_row_and_starts_another(cast, paired):
    replace_first_helper(cast, paired)
    rows, _ = rows_of(export(cast, quarter="2018Q2", on="2018-06-30"))
    changes = [(r[7], r[13], r[14], r[15], r[16]) for r in rows[1:]]
    assert changes == [
        ("李明", "20180319", "20180510", "3", "更换帮扶责任人"),
        ("王芳", "20180319", None, "0", None),  # the second helper carries on: one span, unchanged
        ("赵新", "20180510", None, "2", "更换帮扶责任人"),
    ]


def test_s11_csv_for_the_national_system_is_utf8_with_bom(cast, paired):
    rendered = export(cast, fmt="csv")
    assert rendered.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(rendered.content.decode("utf-8-sig"))))
    assert table[0][4] == "户编号(aac001)" and len(table) == 3
    assert table[1][11] == cast.first_helper.phone[:3] + "****" + cast.first_helper.phone[-4:]


def test_s11_reveal_gives_whole_numbers_for_the_sync_and_logs_it(cast, paired):
    rendered, personal = services.render(actor=cast.actor("city_office"), kind="national", fmt="csv",
                                         raw={"town": cast.town.code}, reveal=True)
    table = list(csv.reader(io.StringIO(rendered.content.decode("utf-8-sig"))))
    assert table[1][6] == cast.household.members.get().id_number and table[1][11] == cast.first_helper.phone
    assert f"directory.Person:{cast.first_helper.pk}" in personal.revealed
