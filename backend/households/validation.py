"""Validation of a household and its members, shared by the API and the importers.

Returns every problem at once as `{field: [Chinese reason]}`; member fields are keyed `members[i].field`
so an import can name the row and the column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from backend.common.crypto import blind_index
from backend.common.validators import InvalidValue, id_sex, validate_id_number, validate_phone

from .codes import labels

HEAD, SPOUSE = "01", "02"
NOT_A_STUDENT = {"", "00"}


class Problems(defaultdict):
    def __init__(self):
        super().__init__(list)

    def add(self, field: str, message: str) -> None:
        self[field].append(message)


def _check_code(problems: Problems, field: str, value, list_name: str, title: str, required: bool = True):
    if value in (None, ""):
        if required:
            problems.add(field, f"{title}不能为空。")
        return
    if str(value) not in labels(list_name):
        problems.add(field, f"{title}“{value}”不在国家代码表中。")


def validate_household(data: dict, *, tenant, area_code: str = "0535") -> Problems:
    """Household-level fields. `data` may hold the village as an object under "village"."""
    p = Problems()
    for field, title in (("code", "户编号"), ("head_name", "户主姓名"), ("village", "村")):
        if not data.get(field):
            p.add(field, f"{title}不能为空。")
    village = data.get("village")
    if village is not None and getattr(village, "tenant_id", tenant.pk) != tenant.pk:
        p.add("village", "村不存在。")
    _check_code(p, "status", data.get("status"), "status", "脱贫状态")
    _check_code(p, "attribute", data.get("attribute"), "attribute", "贫困户属性")
    _check_code(p, "standard", data.get("standard") or "02", "standard", "识别标准")
    _check_code(p, "main_cause", data.get("main_cause"), "cause", "主要致贫原因")
    others = list(data.get("other_causes") or [])
    if len(others) > 2:
        p.add("other_causes", "其他致贫原因最多选择2项。")
    if len(set(others)) != len(others) or data.get("main_cause") in others:
        p.add("other_causes", "其他致贫原因不能重复，也不能与主要致贫原因相同。")
    for cause in others:
        _check_code(p, "other_causes", cause, "cause", "其他致贫原因")
    year = data.get("identified_year")
    if not year:
        p.add("identified_year", "识别年度不能为空。")
    elif not (2013 <= int(year) <= dt.date.today().year):
        p.add("identified_year", "识别年度应在2013年至今之间。")
    if data.get("phone"):
        try:
            data["phone"] = validate_phone(data["phone"], default_area=area_code)
        except InvalidValue as e:
            p.add("phone", str(e))
    return p


def validate_members(members: list[dict], *, tenant, household_pk=None, size=None) -> Problems:
    """Member rows; duplicate IDs are checked within the list and against the tenant's other households."""
    from .models import Member

    p = Problems()
    if not members:
        p.add("members", "家庭成员不能为空（至少包括户主）。")
        return p
    relations = [m.get("relation") for m in members]
    if relations.count(HEAD) != 1:
        p.add("members", "家庭成员中必须有且只有一位户主。")
    if relations.count(SPOUSE) > 1:
        p.add("members", "家庭成员中配偶至多一人。")
    if size is not None and int(size) != len(members):
        p.add("size", f"家庭人口数为{size}，但登记了{len(members)}名成员。")
    seen: dict[str, int] = {}
    head_sex = None
    for i, m in enumerate(members):
        f = f"members[{i}]."
        if not m.get("name"):
            p.add(f + "name", "姓名不能为空。")
        _check_code(p, f + "relation", m.get("relation"), "relation", "与户主关系")
        _check_code(p, f + "id_type", m.get("id_type") or "01", "id_type", "证件类型")
        _check_code(p, f + "sex", m.get("sex"), "sex", "性别")
        _check_code(p, f + "labour", m.get("labour"), "labour", "劳动技能")
        for h in m.get("health") or []:
            _check_code(p, f + "health", h, "health", "健康状况")
        if not m.get("health"):
            p.add(f + "health", "健康状况不能为空。")
        school = m.get("school_status") or ""
        education = m.get("education") or ""
        if school not in NOT_A_STUDENT:
            _check_code(p, f + "school_status", school, "school", "在校生状况")
            if education:
                p.add(f + "education", "在校生只填写在校生状况，不填写文化程度。")
        elif not education:
            p.add(f + "education", "非在校生须填写文化程度。")
        else:
            _check_code(p, f + "education", education, "education", "文化程度")
        raw_id = m.get("id_number") or ""
        if (m.get("id_type") or "01") == "01":
            try:
                m["id_number"] = validate_id_number(raw_id)
            except InvalidValue as e:
                p.add(f + "id_number", str(e))
                continue
            if m.get("sex") and id_sex(m["id_number"]) != m["sex"]:
                p.add(f + "sex", "性别与身份证号码不一致。")
        elif not raw_id:
            p.add(f + "id_number", "证件号码不能为空。")
            continue
        number = m["id_number"]
        if number in seen:
            p.add(f + "id_number", f"证件号码与第{seen[number] + 1}名成员重复。")
        seen.setdefault(number, i)
        if m.get("relation") == HEAD:
            head_sex = m.get("sex")
        if m.get("phone"):
            try:
                m["phone"] = validate_phone(m["phone"])
            except InvalidValue as e:
                p.add(f + "phone", str(e))
    spouse = next((m for m in members if m.get("relation") == SPOUSE), None)
    if spouse and head_sex and spouse.get("sex") == head_sex:
        p.add("members", "配偶的性别应与户主不同。")
    if seen:
        indexes = {blind_index("id", n): n for n in seen}
        taken = Member.objects.filter(tenant=tenant, id_index__in=indexes)
        if household_pk:
            taken = taken.exclude(household_id=household_pk)
        for index, code in taken.values_list("id_index", "household__code"):
            i = seen[indexes[index]]
            p.add(f"members[{i}].id_number", f"证件号码已登记在户{code}中。")
    return p
