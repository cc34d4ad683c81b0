"""Imports (SPEC §7): every row validated with its row, column and Chinese reason; one bad row imports
nothing; a clean file imports in one transaction, as a job with progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.directory.models import Organisation, Person, UnitQuota
from backend.documents import imports
from backend.documents.models import ImportJob
from backend.households.models import Household, Member
from tests.factories import VillageFactory, id_number

from .sheets import gbk_csv, wps_xlsx, xlsx

HOUSEHOLD_HEADERS = ["户编号(aac001)", "行政区划代码(aar008)", "详细地址", "联系电话(aar012)", "家庭人口数(aac017)",
                     "脱贫状态(aar010)", "贫困户属性(aac006)", "识别标准", "主要致贫原因", "其他致贫原因",
                     "识别年度(aar041)", "脱贫年度(aac023)", "姓名", "与户主关系", "证件类型", "证件号码", "性别",
                     "健康状况", "劳动技能", "文化程度", "在校生状况", "成员联系电话"]


def household_rows(village_code: str, households: int = 40) -> list[list]:
    """100 member rows in 40 households (3 and 2 members in turn), labels and codes mixed as clerks do."""
    rows = [HOUSEHOLD_HEADERS]
    for i in range(households):
        size = 3 if i % 2 == 0 else 2
        common = [f"{village_code}{i:04d}", village_code, f"{i % 9 + 1}组", f"139{i:08d}", str(size), "1",
                  "一般脱贫户", "省定标准", "因病", "缺资金、缺技术", "2015", "2017"]
        head_sex = "01" if i % 3 else "02"
        head_born = dt.date(1950 + i % 20, 1 + i % 12, 1 + i % 27)
        rows.append(common + [f"户主{i}", "户主", "01", id_number(head_born, head_sex), head_sex, "健康",
                              "普通劳动力", "小学", "", ""])
        rows.append(common + [f"配偶{i}", "02", "居民身份证", id_number(head_born, "02" if head_sex == "01" else "01"),
                              "女" if head_sex == "01" else "男", "长期慢性病", "弱劳动力或半劳动力", "01", "", ""])
        if size == 3:
            rows.append(common + [f"子女{i}", "之子", "01", id_number(dt.date(1990, 6, 1), "01"), "01", "01",
                                  "01", "高中", "", f"138{i:08d}"])
    assert households != 40 or len(rows) == 101
    return rows


def spoil(rows: list[list]) -> list[tuple[int, str, str]]:
    """Three bad rows; returns (spreadsheet row, column, reason) as the import must report them."""
    col = HOUSEHOLD_HEADERS.index
    rows[11][col("证件号码")] = rows[11][col("证件号码")][:-1] + ("0" if rows[11][col("证件号码")][-1] != "0" else "1")
    rows[40][col("成员联系电话")] = "12345"
    head_of_30 = next(r for r in rows[1:] if r[0].endswith("0030") and r[col("与户主关系")] == "户主")
    for r in rows[1:]:
        if r[0] == head_of_30[0]:
            r[col("主要致贫原因")] = "88"
    return [(12, "证件号码", "身份证号码校验位错误。"), (41, "成员联系电话", "电话号码无效。"),
            (rows.index(head_of_30) + 1, "主要致贫原因", "主要致贫原因“88”不在国家代码表中。")]


@pytest.fixture
def upload(committed):
    def post(cast, kind: str, name: str, content: bytes, role: str = "city_office"):
        file = SimpleUploadedFile(name, content)
        return committed(cast.client(role).post, "/api/v1/imports/", {"kind": kind, "file": file}, format="multipart")

    return post


def run(enqueued):
    for name, kwargs in enqueued:
        assert name == "documents.import"
        imports.run_import_job(kwargs["id"])
    enqueued.clear()


def test_three_bad_rows_among_a_hundred_give_three_errors_and_import_nothing(cast, upload, enqueued):
    rows = household_rows(cast.village.code)
    expected = spoil(rows)
    before = (Household.objects.count(), Member.objects.count())
    response = upload(cast, "households", "贫困户.xlsx", xlsx(rows))
    assert response.status_code == 202 and response.json()["state"] == "queued"
    run(enqueued)
    job = cast.client("city_office").get(f"/api/v1/imports/{response.json()['id']}/").json()
    assert job["state"] == "failed" and job["error"] == "有3行数据有误，未导入任何数据。"
    assert sorted((e["row"], e["column"], e["message"]) for e in job["errors"]) == sorted(expected)
    assert (Household.objects.count(), Member.objects.count()) == before
    assert job["progress_done"] == job["progress_total"] == 100


def test_the_fixed_file_imports_a_hundred_rows_in_one_job(cast, upload, enqueued):
    rows = household_rows(cast.village.code)
    response = upload(cast, "households", "贫困户.xlsx", xlsx(rows))
    run(enqueued)
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.state == "done" and job.errors == [] and job.created_count == 100
    assert job.summary == {"households": 40, "members": 100}
    assert (job.progress_done, job.progress_total) == (100, 100)
    imported = Household.objects.get(code=f"{cast.village.code}0000")
    assert imported.head_name == "户主0" and imported.size == 3 and imported.attribute == "05"
    assert imported.other_causes == ["9", "7"] and imported.standard == "02"
    assert sorted(imported.members.values_list("relation", flat=True)) == ["01", "02", "03"]
    assert Member.objects.filter(household__code__startswith=cast.village.code).count() == 100


def test_wps_file_with_inline_strings_wrong_dimension_and_numeric_cells(cast):
    rows = household_rows(cast.village.code, households=4)[:6]
    col = HOUSEHOLD_HEADERS.index
    for r in rows[1:]:
        r[col("家庭人口数(aac017)")] = int(r[col("家庭人口数(aac017)")])  # a number cell
        r[col("识别年度(aar041)")] = 2015.0
        r[col("联系电话(aar012)")] = int(r[col("联系电话(aar012)")])
    rows[1][col("性别")] = 2 if rows[1][col("性别")] == "02" else 1  # "01" typed as a number loses its zero
    rows = rows[:-1] if rows[-1][0] != rows[-2][0] else rows  # whole households only
    result = imports.import_now(actor=cast.actor("city_office"), kind="households", filename="wps.xlsx",
                                content=wps_xlsx(rows))
    assert result.ok, result.errors
    assert Household.objects.filter(code__startswith=cast.village.code).count() == 2


def test_an_id_number_saved_as_a_number_is_reported_as_lost_digits(cast):
    rows = household_rows(cast.village.code, households=1)
    rows[1][HOUSEHOLD_HEADERS.index("证件号码")] = float(rows[1][HOUSEHOLD_HEADERS.index("证件号码")][:17] + "0")
    result = imports.import_now(actor=cast.actor("city_office"), kind="households", filename="x.xlsx",
                                content=wps_xlsx(rows))
    assert not result.ok
    assert result.errors == [{"row": 2, "column": "证件号码",
                              "message": "证件号码被保存为数字，末几位已丢失；请将该列设为文本格式后重新填写。"}]


def test_gbk_csv_imports(cast):
    rows = household_rows(cast.village.code, households=2)[:6]
    result = imports.import_now(actor=cast.actor("city_office"), kind="households", filename="贫困户.csv",
                                content=gbk_csv(rows))
    assert result.ok, result.errors
    assert Member.objects.filter(household__code__startswith=cast.village.code).count() == 5


def test_household_duplicates_within_the_file_and_against_the_database(cast):
    rows = household_rows(cast.village.code, households=2)[:6]
    col = HOUSEHOLD_HEADERS.index
    rows[4][col("证件号码")] = rows[1][col("证件号码")]  # second household's head = first household's head
    existing = cast.household.members.get().id_number
    rows[5][col("证件号码")] = existing
    rows[5][col("性别")] = existing[16] in "13579" and "01" or "02"
    result = imports.import_now(actor=cast.actor("city_office"), kind="households", filename="d.xlsx",
                                content=xlsx(rows))
    messages = {(e["row"], e["message"]) for e in result.errors}
    assert (5, f"证件号码与第2行（户编号{cast.village.code}0000）重复。") in messages
    assert (6, f"证件号码已登记在户{cast.household.code}中。") in messages


def test_a_town_office_imports_only_its_own_villages(cast):
    elsewhere = VillageFactory(tenant=cast.tenant, town__tenant=cast.tenant, town__kind="town", town__unit_kind="")
    rows = household_rows(elsewhere.code, households=1)[:4]
    result = imports.import_now(actor=cast.actor("town_office"), kind="households", filename="t.xlsx",
                                content=xlsx(rows))
    assert not result.ok and result.errors[0]["message"].startswith("您只能导入本镇街的贫困户")


def test_missing_required_column_is_a_header_error(cast):
    rows = [[h for h in HOUSEHOLD_HEADERS if h != "证件号码"]]
    rows.append(["x"] * len(rows[0]))
    result = imports.import_now(actor=cast.actor("city_office"), kind="households", filename="h.xlsx",
                                content=xlsx(rows))
    assert result.errors == [{"row": 1, "column": "证件号码", "message": "缺少必填列“证件号码”。"}]


def test_units_with_quotas_in_the_a6_layout(cast):
    rows = [["序号", "单位代码", "单位名称", "单位性质", "城港路街道", "合计"],
            [1, "jyj", "莱州市教育局", "市直机关事业单位", 3, 3],
            [2, "czj", "莱州市审计局", "市直机关事业单位", 1, 1],
            [3, "ny", "莱州市农业农村局", "市直", "两", ""],
            [4, "jyj", "莱州市教育和体育局", "国有企业", "", ""]]
    result = imports.import_now(actor=cast.actor("city_office"), kind="units", filename="units.xlsx",
                                content=xlsx(rows, title_rows=["部门单位“第一帮扶责任人”分配明细表"]))
    assert sorted((e["row"], e["column"], e["message"]) for e in result.errors) == [
        (4, "单位代码", "单位代码“czj”已存在。"),
        (5, "单位性质", "单位性质“市直”无效，应为：市直机关事业单位、驻莱单位、国有企业。"),
        (5, "城港路街道", "城港路街道的人数“两”应为非负整数。"),
        (6, "单位代码", "单位代码“jyj”与第3行重复。"),
    ]
    assert not Organisation.objects.filter(code="jyj").exists()
    fixed = [rows[0], rows[1], [2, "sjj", "莱州市审计局", "市直机关事业单位", 1, 1]]
    result = imports.import_now(actor=cast.actor("city_office"), kind="units", filename="units.xlsx",
                                content=xlsx(fixed))
    assert result.ok and result.summary == {"units": 2, "quotas": 2, "helpers": 4}
    assert UnitQuota.objects.get(unit__code="jyj").count == 3


def test_units_import_names_an_unknown_town_column(cast):
    rows = [["单位代码", "单位名称", "单位性质", "火星镇"], ["jyj", "莱州市教育局", "市直机关事业单位", 1]]
    result = imports.import_now(actor=cast.actor("city_office"), kind="units", filename="u.csv",
                                content=gbk_csv(rows))
    assert result.errors == [{"row": 1, "column": "火星镇", "message": "列“火星镇”既不是单位字段，也不是本市的镇街。"}]


def test_cadres_are_validated_and_imported(cast):
    header = ["姓名", "工作单位", "职务", "联系电话", "是否党员", "是否后备干部", "人员类别", "所在村"]
    rows = [header,
            ["赵一", "czj", "科员", "13700000001", "是", "否", "市直机关事业单位干部", ""],
            ["钱二", cast.town.name, "村党支部书记", "13700000002", "是", "否", "村干部", cast.village.code],
            ["孙三", "czj", "科员", cast.first_helper.phone, "是", "是", "市直机关事业单位干部", ""],
            ["李四", cast.town.code, "科员", "13700000001", "是", "否", "镇街干部", ""],
            ["周五", cast.town.code, "村会计", "13700000005", "否", "否", "村干部", ""],
            ["吴六", "czj", "科员", "1370000", "也许", "否", "镇街干部", ""]]
    result = imports.import_now(actor=cast.actor("city_office"), kind="cadres", filename="c.xlsx", content=xlsx(rows))
    assert sorted((e["row"], e["column"], e["message"]) for e in result.errors) == [
        (4, "联系电话", "该手机号码已登记在其他干部名下。"),
        (5, "联系电话", "手机号码与第2行重复。"),
        (6, "所在村", "村干部须填写所在村。"),
        (7, "人员类别", "镇街干部应属于镇街，莱州市财政局是部门单位。"),
        (7, "是否党员", "是否党员应填“是”或“否”。"),
        (7, "联系电话", "手机号码不是有效的大陆手机号。"),
    ]
    assert not Person.objects.filter(name="赵一").exists()
    result = imports.import_now(actor=cast.actor("city_office"), kind="cadres", filename="c.xlsx",
                                content=xlsx(rows[:3]))
    assert result.ok and result.summary == {"people": 2}
    village_cadre = Person.objects.get(name="钱二")
    assert village_cadre.village == cast.village and village_cadre.organisation == cast.town
    assert village_cadre.phone == "13700000002" and village_cadre.can_be_second_helper


def test_a_unit_liaison_imports_only_its_own_people(cast):
    rows = [["姓名", "工作单位", "联系电话", "人员类别"], ["郑七", cast.town.code, "13700000007", "镇街干部"]]
    result = imports.import_now(actor=cast.actor("unit_liaison"), kind="cadres", filename="c.xlsx", content=xlsx(rows))
    assert result.errors[0]["message"] == f"您只能导入本单位的人员，不能导入{cast.town.name}的人员。"


def test_import_refusals(cast, upload):
    helper = upload(cast, "households", "h.xlsx", xlsx([["a"]]), role="first_helper")
    assert helper.status_code == 403 and helper.json()["message"] == "您没有导入贫困户及家庭成员的权限。"
    old = upload(cast, "households", "h.xls", b"\xd0\xcf\x11\xe0")
    assert old.json()["fields"]["file"] == ["只能导入.xlsx或.csv文件。"]


def test_imports_are_visible_to_their_uploader_and_other_tenants_never(cast, other, upload, enqueued):
    mine = upload(cast, "cadres", "c.csv", gbk_csv([["姓名", "工作单位"], ["x", "y"]]), role="town_office").json()["id"]
    foreign = upload(other, "cadres", "c.csv", gbk_csv([["姓名", "工作单位"], ["x", "y"]])).json()["id"]
    client = cast.client("town_office")
    assert client.get(f"/api/v1/imports/{mine}/").status_code == 200
    assert client.get(f"/api/v1/imports/{foreign}/").status_code == 404
    assert cast.client("city_office").get(f"/api/v1/imports/{mine}/").status_code == 404
    assert cast.client("operator").get(f"/api/v1/imports/{mine}/").status_code == 200
    assert foreign not in [j["id"] for j in cast.client("operator").get("/api/v1/imports/").json()["results"]]


def test_the_import_template_lists_the_columns(cast):
    from openpyxl import load_workbook

    response = cast.client("city_office").get("/api/v1/imports/template/?kind=households")
    assert response.status_code == 200
    ws = load_workbook(__import__("io").BytesIO(response.content)).active
    assert [c.value for c in ws[1]][:2] == ["户编号(aac001)", "行政区划代码(aar008)"]


def test_every_bad_row_of_one_household_is_listed(cast):
    rows = household_rows(cast.village.code, households=1)
    col = HOUSEHOLD_HEADERS.index
    rows[1][col("劳动技能")] = "很强"
    rows[2][col("成员联系电话")] = "12345"
    rows[3][col("健康状况")] = "很好"
    result = imports.import_now(actor=cast.actor("city_office"), kind="households", filename="x.xlsx",
                                content=xlsx(rows))
    assert [(e["row"], e["column"], e["message"]) for e in result.errors] == [
        (2, "劳动技能", "劳动技能“很强”不在国家代码表中。"),
        (3, "成员联系电话", "电话号码无效。"),
        (4, "健康状况", "健康状况“很好”不在国家代码表中。"),
    ]
