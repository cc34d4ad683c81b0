"""What a builder gets (the request) and gives back (the output)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backend.common.masking import mask_id, mask_phone
from backend.tenancy.scoping import Actor

from .tables import Table


class PersonalData:
    """Masks ID numbers and phones unless the request may reveal them (SPEC §8), and remembers whose data
    left unmasked so the export is logged per subject in PersonalDataAccess."""

    def __init__(self, reveal: bool):
        self.reveal = reveal
        self.revealed: dict[str, set[str]] = {}

    def _seen(self, subject: str, field_name: str) -> None:
        self.revealed.setdefault(subject, set()).add(field_name)

    def phone(self, value: str | None, subject: str, field_name: str = "phone") -> str:
        if not value:
            return ""
        if self.reveal:
            self._seen(subject, field_name)
            return value
        return mask_phone(value)

    def id_number(self, value: str | None, subject: str, field_name: str = "id_number") -> str:
        if not value:
            return ""
        if self.reveal:
            self._seen(subject, field_name)
            return value
        return mask_id(value)


@dataclass
class Params:
    on: dt.date
    town: Any = None
    village: Any = None
    household: Any = None
    quarter: tuple[int, int] | None = None  # (2018, 2)
    year: int | None = None
    subject_id: int | None = None  # an escalation, a report … when the kind is about one

    @property
    def quarter_label(self) -> str:
        return f"{self.quarter[0]}年第{'一二三四'[self.quarter[1] - 1]}季度" if self.quarter else ""

    @property
    def quarter_span(self) -> tuple[dt.date, dt.date]:
        year, q = self.quarter
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
        return start, end


@dataclass
class Request:
    tenant: Any
    actor: Actor
    params: Params
    personal: PersonalData
    progress: Callable[[int, int], None] = lambda done, total: None


@dataclass
class Output:
    title: str
    filename: str  # without extension
    issuer: str
    issued_on: dt.date
    template: str = "documents/table.html"
    orientation: str = "portrait"
    tables: list[Table] = field(default_factory=list)
    context: dict = field(default_factory=dict)
    rows: int = 0
