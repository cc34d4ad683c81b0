"""Output → bytes: the HTML of a document, its PDF (WeasyPrint) and its workbook (openpyxl)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from . import fonts, xlsx
from .pdf import html_to_pdf
from .request import Output
from .tables import Table, cn_date


@dataclass
class Rendered:
    content: bytes
    filename: str
    content_type: str
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    engine_seconds: float = 0.0  # time inside WeasyPrint (the benchmark's reference)


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _cells(table: Table) -> dict:
    aligns = [c.align if c.align != "left" else "" for c in table.columns]

    def cells(row):
        return [{"text": "" if v is None else str(v), "align": a} for v, a in zip(row, aligns, strict=True)]

    return {"title": table.title, "columns": table.columns, "share": table.share, "meta": table.meta,
            "notes": table.notes, "rows": [cells(r) for r in table.rows],
            "totals": cells(table.totals) if table.totals else None}


def to_html(output: Output) -> str:
    context = {
        "title": output.title, "orientation": output.orientation, "issuer": output.issuer,
        "issued": cn_date(output.issued_on), "font_css": fonts.font_face_css(),
        "sans": fonts.stack(fonts.SANS), "serif": fonts.stack(fonts.SERIF),
        "tables": [_cells(t) for t in output.tables], **output.context,
    }
    return render_to_string(output.template, context)


def to_pdf(output: Output, on_page: Callable[[int], None] | None = None) -> Rendered:
    result = html_to_pdf(to_html(output), on_page=on_page)
    return Rendered(result.content, f"{output.filename}.pdf", CONTENT_TYPES["pdf"], result.pages, result.warnings,
                    result.seconds)


def to_xlsx(output: Output) -> Rendered:
    return Rendered(xlsx.workbook(output), f"{output.filename}.xlsx", CONTENT_TYPES["xlsx"])


def to_csv(output: Output) -> Rendered:
    return Rendered(xlsx.csv_bytes(output), f"{output.filename}.csv", CONTENT_TYPES["csv"])


RENDERERS = {"pdf": to_pdf, "xlsx": to_xlsx, "csv": to_csv}
