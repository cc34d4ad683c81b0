"""Workbooks (openpyxl) and CSV from the same tables the PDFs print.

Every value except counts is written as text, so ID numbers and phones keep all their digits in Excel and
WPS; the workbook's properties carry the document's date, not the time of rendering.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .request import Output
from .tables import Table, cn_date

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_FILL = PatternFill("solid", fgColor="F0F0F0")
FONT = "宋体"


def _value(value, number: bool):
    if value is None:
        return ""
    if number and isinstance(value, int):
        return value
    return str(value)


def _sheet(ws, table: Table, output: Output) -> None:
    width = len(table.columns)
    ws.append([table.title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).font = Font(name=FONT, size=16, bold=True)
    ws.cell(1, 1).alignment = CENTRE
    ws.row_dimensions[1].height = 28
    meta = "　".join(f"{k}：{v}" for k, v in table.meta)
    ws.append([f"{meta}　　填报单位：{output.issuer}　　日期：{cn_date(output.issued_on)}".strip("　")])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append([c.flat for c in table.columns])
    for i, column in enumerate(table.columns, 1):
        cell = ws.cell(3, i)
        cell.font, cell.alignment, cell.border, cell.fill = Font(name=FONT, bold=True), CENTRE, BOX, HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = max(4.0, column.width * 1.5)
    body = list(table.rows) + ([table.totals] if table.totals else [])
    for row in body:
        ws.append([_value(v, c.number or c.align == "center") for v, c in zip(row, table.columns, strict=True)])
        r = ws.max_row
        for i, column in enumerate(table.columns, 1):
            cell = ws.cell(r, i)
            cell.border = BOX
            cell.alignment = CENTRE if column.align == "center" else WRAP
    for note in table.notes:
        ws.append([note])
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = output.orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def workbook(output: Output) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for i, table in enumerate(output.tables, 1):
        name = (table.sheet or table.title)[:28] or f"Sheet{i}"
        if name in used:
            name = f"{name[:25]}{i}"
        used.add(name)
        _sheet(wb.create_sheet(name), table, output)
    stamp = dt.datetime.combine(output.issued_on, dt.time())
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = output.issuer
    wb.properties.title = output.title
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(output: Output) -> bytes:
    """The first table, UTF-8 with a byte-order mark (Excel and WPS need it to read Chinese CSV)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    table = output.tables[0]
    writer.writerow([c.flat for c in table.columns])
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return buffer.getvalue().encode("utf-8-sig")
