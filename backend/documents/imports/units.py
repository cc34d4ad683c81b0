"""Units with their A6 quotas: one row per unit, one column per town (the A6 layout), counts in the cells."""

from __future__ import annotations

import re

from backend.directory.models import Organisation, OrgKind, UnitKind, UnitQuota

from .base import Field, Importer, Row, normalise_header

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
IGNORED = {normalise_header(h) for h in ("序号", "合计", "小计")}


class UnitImporter(Importer):
    kind = "units"
    title = "部门单位及第一帮扶责任人分配"
    fields = (
        Field("code", "单位代码", required=True, aliases=("代码", "单位简码")),
        Field("name", "单位名称", required=True, aliases=("部门单位",)),
        Field("unit_kind", "单位性质", required=True, aliases=("单位类型",)),
    )
    roles = ("operator", "city_office")

    def __init__(self, actor):
        super().__init__(actor)
        self.towns = list(Organisation.objects.filter(tenant=self.tenant, kind=OrgKind.TOWN).order_by("code"))
        self.town_columns: dict[int, Organisation] = {}
        self.kinds = {normalise_header(label): value for value, label in UnitKind.choices} | {v: v for v in UnitKind.values}

    def known_headers(self) -> set[str]:
        return super().known_headers() | {normalise_header(n) for t in self.towns for n in (t.name, t.short_name, t.code) if n}

    def unknown_column(self, sheet, index, header) -> None:
        names = {normalise_header(n): t for t in self.towns for n in (t.name, t.short_name, t.code) if n}
        town = names.get(normalise_header(header))
        if town is not None:
            if town in self.town_columns.values():
                self.errors.add(sheet.header_row, header, f"镇街“{header}”的列重复出现。")
            else:
                self.town_columns[index] = town
        elif header.strip() and normalise_header(header) not in IGNORED:
            self.errors.add(sheet.header_row, header, f"列“{header}”既不是单位字段，也不是本市的镇街。")

    def rows(self, sheet, mapping):
        rows = super().rows(sheet, mapping)
        for row, (_number, cells) in zip(rows, sheet.rows, strict=True):
            row.counts = {town: cells[i] if i < len(cells) else "" for i, town in self.town_columns.items()}
            row.count_headers = {town: sheet.headers[i] for i, town in self.town_columns.items()}
        return rows

    def check(self, rows: list[Row], progress) -> list[tuple[Row, dict]]:
        taken_codes = set(Organisation.objects.filter(tenant=self.tenant).values_list("code", flat=True))
        taken_names = set(Organisation.objects.filter(tenant=self.tenant, kind=OrgKind.UNIT).values_list("name", flat=True))
        seen_codes: dict[str, int] = {}
        seen_names: dict[str, int] = {}
        checked = []
        for i, row in enumerate(rows, 1):
            before = len(self.errors)
            values = {}
            if self.required(row, "code", "name", "unit_kind"):
                code = row["code"].strip().lower()
                if not CODE.match(code):
                    self.error(row, "code", "单位代码只能由小写字母、数字和连字符组成，最长32位。")
                elif code in taken_codes:
                    self.error(row, "code", f"单位代码“{code}”已存在。")
                elif code in seen_codes:
                    self.error(row, "code", f"单位代码“{code}”与第{seen_codes[code]}行重复。")
                seen_codes.setdefault(code, row.number)
                name = row["name"].strip()
                if name in taken_names:
                    self.error(row, "name", f"单位“{name}”已存在。")
                elif name in seen_names:
                    self.error(row, "name", f"单位“{name}”与第{seen_names[name]}行重复。")
                seen_names.setdefault(name, row.number)
                unit_kind = self.kinds.get(normalise_header(row["unit_kind"]))
                if unit_kind is None:
                    self.error(row, "unit_kind", f"单位性质“{row['unit_kind']}”无效，应为：{'、'.join(UnitKind.labels)}。")
                values = {"code": code, "name": name, "unit_kind": unit_kind}
            values["quotas"] = self._counts(row)
            if len(self.errors) == before:
                checked.append((row, values))
            progress(i, len(rows))
        return checked

    def _counts(self, row: Row) -> dict:
        counts = {}
        for town, raw in row.counts.items():
            raw = raw.strip()
            if not raw:
                continue
            if not raw.isdigit() or int(raw) > 10000:
                self.errors.add(row.number, row.count_headers[town], f"{town.name}的人数“{raw}”应为非负整数。")
                continue
            if int(raw):
                counts[town] = int(raw)
        return counts

    def write(self, checked) -> dict:
        units = Organisation.objects.bulk_create(
            Organisation(tenant=self.tenant, kind=OrgKind.UNIT, code=v["code"], name=v["name"], unit_kind=v["unit_kind"])
            for _row, v in checked)
        quotas = [UnitQuota(tenant=self.tenant, unit=unit, town=town, count=count)
                  for unit, (_row, v) in zip(units, checked, strict=True) for town, count in v["quotas"].items()]
        UnitQuota.objects.bulk_create(quotas)
        return {"units": len(units), "quotas": len(quotas), "helpers": sum(q.count for q in quotas)}
