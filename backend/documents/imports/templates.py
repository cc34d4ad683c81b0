"""Empty import workbooks: the header row each importer reads (national field codes in brackets)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.directory.models import Organisation, OrgKind

from .base import Importer


def template_workbook(importer: type[Importer], actor) -> bytes:
    headers = [f"{f.header}({f.national})" if f.national else f.header for f in importer.fields]
    if importer.kind == "units":
        towns = Organisation.objects.filter(tenant=actor.tenant, kind=OrgKind.TOWN).order_by("code")
        headers += [t.short_name or t.name for t in towns]
    wb = Workbook()
    ws = wb.active
    ws.title = importer.title[:28]
    ws.append(headers)
    required = {f.header for f in importer.fields if f.required}
    for i, f in enumerate(importer.fields, 1):
        ws.cell(1, i).font = Font(bold=f.header in required)
    for column in ws.columns:
        # Text format for every column, so ID numbers and phones keep all their digits.
        for cell in column[:1]:
            ws.column_dimensions[cell.column_letter].width = max(10, len(str(cell.value)) * 2)
            ws.column_dimensions[cell.column_letter].number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
