"""Reading a document request's parameters (API body, command-line options) into records of one tenant."""

from __future__ import annotations

import datetime as dt
import re

from backend.common import clock
from backend.common.errors import ValidationFailed
from backend.directory.models import Organisation, OrgKind, Village
from backend.households.models import Household

from .request import Params

QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
FIELDS = ("town", "village", "household", "quarter", "year", "on", "subject")
TITLES = {"town": "镇街", "village": "村", "household": "贫困户", "quarter": "季度", "year": "年度",
          "on": "日期", "subject": "对象"}


def _one(queryset, value, field: str, title: str):
    value = str(value).strip()
    row = queryset.filter(code=value).first()
    if row is None and value.isdigit():
        row = queryset.filter(pk=int(value)).first()
    if row is None:
        raise ValidationFailed.on(field, f"{title}“{value}”不存在。")
    return row


def parse_quarter(value) -> tuple[int, int]:
    match = QUARTER.match(str(value or "").strip())
    if not match:
        raise ValidationFailed.on("quarter", "季度格式应为“2018Q2”（年份加Q加1至4）。")
    return int(match[1]), int(match[2])


def parse_date(value, field: str = "on") -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed.on(field, f"{TITLES.get(field, field)}格式应为YYYY-MM-DD。") from None


def resolve(tenant, raw: dict, needs: tuple[str, ...]) -> tuple[Params, dict]:
    """Records for the raw values, and the normalised values to store on the job (codes, ISO dates)."""
    raw = {k: v for k, v in raw.items() if v not in (None, "")}
    missing = [f for f in needs if f not in raw and f != "year"]  # the year defaults to the date's
    if missing:
        raise ValidationFailed(f"缺少参数：{'、'.join(TITLES[f] for f in missing)}。",
                               fields={f: [f"请指定{TITLES[f]}。"] for f in missing})
    on = parse_date(raw["on"]) if "on" in raw else clock.local_today(tenant.time_zone)
    params, stored = Params(on=on), {"on": on.isoformat()}
    if "town" in raw:
        params.town = _one(Organisation.objects.filter(tenant=tenant, kind=OrgKind.TOWN), raw["town"], "town", "镇街")
        stored["town"] = params.town.code
    if "village" in raw:
        params.village = _one(Village.objects.filter(tenant=tenant).select_related("town"), raw["village"],
                              "village", "村")
        stored["village"] = params.village.code
    if "household" in raw:
        params.household = _one(Household.objects.filter(tenant=tenant).select_related("village__town"),
                                raw["household"], "household", "贫困户")
        stored["household"] = params.household.code
    if "quarter" in raw:
        params.quarter = parse_quarter(raw["quarter"])
        stored["quarter"] = f"{params.quarter[0]}Q{params.quarter[1]}"
        params.year = params.quarter[0]
    if "year" in raw:
        try:
            params.year = int(raw["year"])
        except (TypeError, ValueError):
            raise ValidationFailed.on("year", "年度应为四位数字。") from None
        stored["year"] = params.year
    if "subject" in raw:
        try:
            params.subject_id = int(raw["subject"])
        except (TypeError, ValueError):
            raise ValidationFailed.on("subject", "对象应为记录ID。") from None
        stored["subject"] = params.subject_id
    if params.year is None and "year" in needs:
        params.year = on.year
    return params, stored
