"""The one shape every tabular document is built into; the PDF template and the xlsx writer both read it,
so a ledger printed and a ledger exported can never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    header: str  # as the notice prints it; "\n" where the printed form breaks the line
    width: float  # relative width; the PDF uses it as a share of the line, xlsx as characters
    align: str = "left"
    number: bool = False

    @property
    def flat(self) -> str:
        """The header on one line (xlsx, csv)."""
        return self.header.replace("\n", "")


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)  # ("镇（街）", "城港路街道") above the table
    notes: list[str] = field(default_factory=list)  # under the table, e.g. the notice's 注
    totals: list | None = None  # a closing 合计 row
    sheet: str = ""  # xlsx sheet name

    @property
    def share(self) -> list[float]:
        total = sum(c.width for c in self.columns) or 1
        return [round(100 * c.width / total, 3) for c in self.columns]


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def joined(values, sep: str = "、") -> str:
    return sep.join(v for v in values if v)
