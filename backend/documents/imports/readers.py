"""Reading uploaded tables: xlsx (Excel or WPS, shared or inline strings) and csv (UTF-8 or GBK).

Every cell comes back as text, the way a clerk sees it: 1.0 → "1", a date → "2018-03-19". An 18-digit ID
number typed into a number cell has already lost its last digits in the spreadsheet; such a cell comes back
as `LostDigits`, so the importer can say so instead of reporting a wrong checksum.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from backend.common.errors import ValidationFailed

HEADER_SEARCH_ROWS = 10  # our own exports put a title and a line of metadata above the header


class LostDigits(str):
    """A number too long for a spreadsheet number cell (15 significant digits)."""


@dataclass
class Sheet:
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the spreadsheet shows it, cells)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            digits = f"{value:.0f}"
            return LostDigits(digits) if abs(value) >= 1e15 else digits
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value).replace("\u3000", " ").strip()


def _xlsx_rows(content: bytes) -> list[list]:
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ValidationFailed.on("file", f"无法读取该Excel文件（{type(e).__name__}），请另存为.xlsx后重试。") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # WPS and some generators write a wrong <dimension>; read every row present
        return [list(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed.on("file", "无法识别CSV文件的编码，请保存为UTF-8或GBK编码。")


def _csv_rows(content: bytes) -> list[list]:
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def read(filename: str, content: bytes, *, known_headers: set[str], normalise) -> Sheet:
    """The first sheet's header row (the first of the top rows naming at least two known columns) and the
    non-empty rows under it."""
    name = filename.lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm"):
        raw = _xlsx_rows(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw = _csv_rows(content)
    elif name.endswith(".xls"):
        raise ValidationFailed.on("file", "不支持旧版.xls文件，请在Excel或WPS中另存为.xlsx后上传。")
    else:
        raise ValidationFailed.on("file", "只能导入.xlsx或.csv文件。")
    table = [[_text(v) for v in row] for row in raw]
    index = next((i for i, row in enumerate(table[:HEADER_SEARCH_ROWS])
                  if sum(1 for cell in row if normalise(cell) in known_headers) >= 2), None)
    if index is None:
        raise ValidationFailed.on("file", "未找到表头行：前10行中没有可识别的列名，请使用导入模板。")
    headers = table[index]
    body = [(index + 2 + i, row + [""] * (len(headers) - len(row)))
            for i, row in enumerate(table[index + 1:]) if any(cell for cell in row)]
    return Sheet(header_row=index + 1, headers=headers, rows=body)
