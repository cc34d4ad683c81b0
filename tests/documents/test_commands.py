"""`bangfu render` and `bangfu import` (SPEC §9)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from backend.households.models import Household

from .conftest import pdf_text, squeeze
from .sheets import xlsx
from .test_imports import household_rows, spoil


def test_bangfu_render_writes_the_document(cast, paired, tmp_path, capsys):
    out = tmp_path / "a1.pdf"
    call_command("render", "A1", "--town", cast.town.code, "--on", "2018-06-30", "--out", str(out),
                 "--tenant", cast.tenant.code)
    assert "帮扶责任工作台账" in squeeze(pdf_text(out.read_bytes(), tmp_path))
    assert "1 pages" in capsys.readouterr().out
    xlsx_out = tmp_path / "a5.xlsx"
    call_command("render", "A5", "--out", str(xlsx_out))
    assert xlsx_out.read_bytes()[:2] == b"PK"


def test_bangfu_render_says_what_is_missing(cast, tmp_path):
    with pytest.raises(CommandError, match="缺少参数：镇街"):
        call_command("render", "A1", "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="季度格式"):
        call_command("render", "A3", "--town", cast.town.code, "--quarter", "2018-2", "--out", str(tmp_path / "x.pdf"))


def test_bangfu_import_lists_bad_rows_then_imports(cast, tmp_path, capsys):
    rows = household_rows(cast.village.code)
    spoil(rows)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(rows))
    with pytest.raises(CommandError, match="有3行数据有误，未导入任何数据。"):
        call_command("import", "households", str(bad), "--tenant", cast.tenant.code)
    assert "第12行 [证件号码] 身份证号码校验位错误。" in capsys.readouterr().err
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx(household_rows(cast.village.code)))
    call_command("import", "households", str(good), "--tenant", cast.tenant.code)
    assert "已导入100行。" in capsys.readouterr().out
    assert Household.objects.filter(code__startswith=cast.village.code).count() == 40
