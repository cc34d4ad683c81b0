"""What every importer shares: columns named in Chinese (or by national field code), code lists that accept
the code or its label, and errors that name the row, the column and the reason."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass

from backend.households.codes import labels
from backend.tenancy.scoping import Actor

from .readers import LostDigits, Sheet

MAX_ERRORS = 5000
_PARENS = str.maketrans({"（": "(", "）": ")", "：": ":", "　": ""})
_NATIONAL_SUFFIX = re.compile(r"\((?:[a-z]{3}\d{3}[a-z0-9]*)\)$")
_SPLIT = re.compile(r"[、,，;；/\s]+")


def normalise_header(text: str) -> str:
    text = re.sub(r"\s+", "", str(text or "")).translate(_PARENS).lstrip("*").rstrip("*").lower()
    return _NATIONAL_SUFFIX.sub("", text)


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    required: bool = False
    national: str = ""  # the national system's field code, accepted as a header
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.header, self.national, *self.aliases) if n}


@dataclass
class RowError:
    row: int
    column: str
    message: str


class Errors(list):
    def __init__(self):
        super().__init__()
        self.cells: set[tuple[int, str]] = set()

    def add(self, row: int, column: str, message: str) -> None:
        self.cells.add((row, column))
        if len(self) < MAX_ERRORS:
            self.append(RowError(row, column, message))

    def as_json(self) -> list[dict]:
        return [asdict(e) for e in sorted(self, key=lambda e: (e.row, e.column))]


class CodeList:
    """One national code list: a cell may hold the code ("01", or 1 as a number) or the label ("户主")."""

    def __init__(self, list_name: str):
        self.codes = labels(list_name)
        self.by_label = {label.translate(_PARENS): code for code, label in self.codes.items()}

    def code(self, value: str) -> str | None:
        value = value.strip().translate(_PARENS)
        if value in self.codes:
            return value
        if value in self.by_label:
            return self.by_label[value]
        if value.isdigit():
            return next((c for c in self.codes if c.isdigit() and int(c) == int(value)), None)
        return None


def split_values(value: str) -> list[str]:
    return [v for v in _SPLIT.split(value.strip()) if v]


def yes_no(value: str) -> bool | None:
    value = value.strip().lower()
    if value in ("是", "y", "yes", "1", "true", "√", "✓"):
        return True
    if value in ("否", "n", "no", "0", "false", ""):
        return False
    return None


class Row:
    """One data row read through the importer's columns: `row["code"]`, and the header the file used."""

    def __init__(self, number: int, cells: dict[str, str], headers: dict[str, str]):
        self.number, self.cells, self.headers = number, cells, headers

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")

    def column(self, key: str, fields: dict[str, Field]) -> str:
        return self.headers.get(key) or fields[key].header


class Importer(ABC):
    """Subclasses declare `fields` and implement `check` (every row, errors collected) and `write`."""

    kind = ""
    title = ""
    fields: tuple[Field, ...] = ()
    extra_columns_allowed = True

    def __init__(self, actor: Actor):
        self.actor = actor
        self.tenant = actor.tenant
        self.by_key = {f.key: f for f in self.fields}
        self.errors = Errors()

    def known_headers(self) -> set[str]:
        return {n for f in self.fields for n in f.names()}

    def column_of(self, key: str) -> str:
        return self.by_key[key].header

    def map_headers(self, sheet: Sheet) -> dict[int, str]:
        """Column index → field key; missing required columns and repeated ones are header errors."""
        lookup = {name: f.key for f in self.fields for name in f.names()}
        mapping: dict[int, str] = {}
        seen: dict[str, int] = {}
        for index, header in enumerate(sheet.headers):
            key = lookup.get(normalise_header(header))
            if key is None:
                self.unknown_column(sheet, index, header)
                continue
            if key in seen:
                self.errors.add(sheet.header_row, header, f"列“{header}”重复出现。")
                continue
            seen[key] = index
            mapping[index] = key
        for f in self.fields:
            if f.required and f.key not in seen:
                self.errors.add(sheet.header_row, f.header, f"缺少必填列“{f.header}”。")
        return mapping

    def unknown_column(self, sheet: Sheet, index: int, header: str) -> None:
        """Columns we do not import (a national-system export has many) are ignored unless a kind says so."""
        if not self.extra_columns_allowed and header.strip():
            self.errors.add(sheet.header_row, header, f"无法识别的列“{header}”。")

    def rows(self, sheet: Sheet, mapping: dict[int, str]) -> list[Row]:
        headers = {key: sheet.headers[i] for i, key in mapping.items()}
        return [Row(number, {key: cells[i] if i < len(cells) else "" for i, key in mapping.items()}, headers)
                for number, cells in sheet.rows]

    def error(self, row: Row, key: str, message: str) -> None:
        self.errors.add(row.number, row.column(key, self.by_key), message)

    def has_error(self, row: Row, key: str) -> bool:
        return (row.number, row.column(key, self.by_key)) in self.errors.cells

    def required(self, row: Row, *keys: str) -> bool:
        ok = True
        for key in keys:
            if not row[key].strip():
                self.error(row, key, f"{self.by_key[key].header}不能为空。")
                ok = False
        return ok

    def no_lost_digits(self, row: Row, key: str) -> bool:
        if isinstance(row[key], LostDigits):
            self.error(row, key, f"{self.by_key[key].header}被保存为数字，末几位已丢失；请将该列设为文本格式后重新填写。")
            return False
        return True

    # -- the two steps ---------------------------------------------------------------------------------
    @abstractmethod
    def check(self, rows: list[Row], progress: Callable[[int, int], None]) -> object:
        """Validate every row, adding to self.errors; return what `write` needs."""

    @abstractmethod
    def write(self, checked) -> dict:
        """Create the rows (inside the caller's transaction); return counts for the summary."""
