"""Households with members in the national field codes: one row per member, household columns repeated on
each member's row (the layout of a national-system export). Validation is `households.validation`, the same
rules the API applies; its per-field reasons are mapped back to the row and column of the file."""

from __future__ import annotations

from collections import OrderedDict

from backend.directory.models import Village
from backend.households.models import Household, Member
from backend.households.services import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from backend.households.validation import HEAD, validate_household, validate_members
from backend.tenancy.roles import Role

from .base import CodeList, Field, Importer, Row, split_values

HOUSEHOLD = (
    Field("code", "户编号", required=True, national="aac001"),
    Field("village", "行政区划代码", required=True, national="aar008", aliases=("村代码", "所在村", "村")),
    Field("address", "详细地址", aliases=("家庭住址", "住址")),
    Field("phone", "联系电话", national="aar012", aliases=("户联系电话",)),
    Field("size", "家庭人口数", national="aac017", aliases=("家庭人口",)),
    Field("status", "脱贫状态", required=True, national="aar010", aliases=("贫困户状态",)),
    Field("attribute", "贫困户属性", required=True, national="aac006"),
    Field("standard", "识别标准"),
    Field("main_cause", "主要致贫原因", required=True),
    Field("other_causes", "其他致贫原因"),
    Field("identified_year", "识别年度", required=True, national="aar041", aliases=("首次识别年度",)),
    Field("exited_year", "脱贫年度", national="aac023"),
    Field("bank_account", "银行账号", aliases=("银行卡号",)),
)
MEMBER = (
    Field("m_name", "姓名", required=True, aliases=("成员姓名",)),
    Field("m_relation", "与户主关系", required=True),
    Field("m_id_type", "证件类型"),
    Field("m_id_number", "证件号码", required=True, aliases=("身份证号码", "公民身份号码", "身份证号", "公民身份号码或残疾证号")),
    Field("m_sex", "性别", required=True),
    Field("m_health", "健康状况", required=True),
    Field("m_labour", "劳动技能", required=True, aliases=("劳动能力",)),
    Field("m_education", "文化程度"),
    Field("m_school_status", "在校生状况"),
    Field("m_phone", "成员联系电话", aliases=("成员电话",)),
)
CODED = {"status": "status", "attribute": "attribute", "standard": "standard", "main_cause": "cause",
         "m_relation": "relation", "m_id_type": "id_type", "m_sex": "sex", "m_labour": "labour",
         "m_education": "education", "m_school_status": "school"}
MULTI = {"other_causes": "cause", "m_health": "health"}
YEARS = ("identified_year", "exited_year")


class HouseholdImporter(Importer):
    kind = "households"
    title = "贫困户及家庭成员"
    fields = HOUSEHOLD + MEMBER
    roles = ("operator", "city_office", "town_office")

    def __init__(self, actor):
        super().__init__(actor)
        self.lists = {name: CodeList(name) for name in {*CODED.values(), *MULTI.values()}}
        villages = list(Village.objects.filter(tenant=self.tenant).select_related("town"))
        self.villages = {v.code: v for v in villages}
        names: dict[str, list[Village]] = {}
        for v in villages:
            names.setdefault(v.name, []).append(v)
        self.village_names = names

    # -- cells → values ------------------------------------------------------------------------------
    def _code(self, row: Row, key: str) -> str:
        """The code for a code or a label; an unknown value passes through, so the shared validation names it."""
        raw = row[key].strip()
        return (self.lists[CODED[key]].code(raw) or raw) if raw else ""

    def _codes(self, row: Row, key: str) -> list[str]:
        return [self.lists[MULTI[key]].code(raw) or raw for raw in split_values(row[key])]

    def _village(self, row: Row):
        raw = row["village"].strip()
        village = self.villages.get(raw)
        if village is None:
            candidates = self.village_names.get(raw, [])
            if len(candidates) > 1:
                self.error(row, "village", f"村名“{raw}”不唯一，请填写12位村行政区划代码。")
                return None
            village = candidates[0] if candidates else None
        if village is None:
            self.error(row, "village", f"村“{raw}”不存在。")
        elif not self._may_write(village):
            self.error(row, "village", f"您只能导入本镇街的贫困户，{village.name}属于{village.town.name}。")
            return None
        return village

    def _may_write(self, village) -> bool:
        a = self.actor
        return a.system or a.has(Role.OPERATOR, Role.CITY_OFFICE) or (
            a.has(Role.TOWN_OFFICE) and a.organisation is not None and village.town_id == a.organisation.pk)

    def _household_values(self, row: Row) -> dict:
        values = {"code": row["code"].strip(), "address": row["address"].strip(), "phone": row["phone"].strip(),
                  "bank_account": row["bank_account"].strip()}
        if row["village"].strip():
            values["village"] = self._village(row)
        for key in ("status", "attribute", "standard", "main_cause"):
            values[key] = self._code(row, key)
        values["other_causes"] = self._codes(row, "other_causes")
        for key in (*YEARS, "size"):
            raw = row[key].strip()
            if raw and not raw.isdigit():
                self.error(row, key, f"{self.by_key[key].header}应为整数。")
            values[key] = int(raw) if raw.isdigit() else None
        return values

    def _member_values(self, row: Row) -> dict:
        values = {"name": row["m_name"].strip(), "phone": row["m_phone"].strip()}
        for key in ("m_relation", "m_id_type", "m_sex", "m_labour", "m_education", "m_school_status"):
            values[key[2:]] = self._code(row, key)
        values["health"] = self._codes(row, "m_health")
        self.no_lost_digits(row, "m_id_number")
        values["id_number"] = row["m_id_number"].strip().upper()
        return values

    # -- validation ------------------------------------------------------------------------------------
    def check(self, rows: list[Row], progress) -> list[tuple[dict, list[dict]]]:
        groups: OrderedDict[str, list[Row]] = OrderedDict()
        for row in rows:
            if self.required(row, "code"):
                groups.setdefault(row["code"].strip(), []).append(row)
        taken = set(Household.objects.filter(tenant=self.tenant, code__in=list(groups)).values_list("code", flat=True))
        ids_in_file: dict[str, tuple] = {}
        checked, done = [], 0
        for code, members in groups.items():
            before = len(self.errors)
            data = self._household(members, code in taken)
            people = [self._member_values(r) for r in members]
            self._duplicates_across_households(members, people, ids_in_file)
            self._validate(members, data, people)
            if len(self.errors) == before:
                checked.append((data, people))
            done += len(members)
            progress(done, len(rows))
        return checked

    def _household(self, members: list[Row], exists: bool) -> dict:
        head = next((r for r in members if self.lists["relation"].code(r["m_relation"]) == HEAD), members[0])
        data = self._household_values(head)
        if exists:
            self.error(head, "code", f"户编号{data['code']}已存在。")
        for row in members:
            if row is head:
                continue
            for f in HOUSEHOLD:
                if row[f.key].strip() and row[f.key].strip() != head[f.key].strip():
                    self.error(row, f.key, f"同一户的{f.header}应一致（户主所在行为“{head[f.key].strip()}”）。")
        self.required(head, *(f.key for f in HOUSEHOLD if f.required))
        data["head_name"] = head["m_name"].strip()
        if data.get("size") is None:
            data["size"] = len(members)
        return data

    def _duplicates_across_households(self, rows: list[Row], people: list[dict], seen: dict[str, tuple]) -> None:
        """An ID number in two households of the file (within one household, validate_members says it)."""
        code = rows[0]["code"].strip()
        for row, person in zip(rows, people, strict=True):
            number = person.get("id_number")
            if not number:
                continue
            first = seen.setdefault(number, (row.number, code))
            if first[1] != code:
                self.error(row, "m_id_number", f"证件号码与第{first[0]}行（户编号{first[1]}）重复。")

    def _validate(self, rows: list[Row], data: dict, people: list[dict]) -> None:
        problems = validate_household(data, tenant=self.tenant, area_code=self.tenant.area_code)
        problems.update(validate_members(people, tenant=self.tenant, size=data["size"]))
        head_row = next((r for r, p in zip(rows, people, strict=True) if p.get("relation") == HEAD), rows[0])
        for field, messages in problems.items():
            row, key = self._locate(field, rows, head_row)
            if self.has_error(row, key):
                continue  # the cell is already reported (a bad village, digits lost, a non-number)
            for message in messages:
                self.error(row, key, message)

    @staticmethod
    def _locate(field: str, rows: list[Row], head_row: Row) -> tuple[Row, str]:
        """`members[2].id_number` → (third member's row, its column); household fields → the head's row."""
        if field.startswith("members["):
            index = int(field[len("members["):field.index("]")])
            return rows[index], "m_" + field.split(".", 1)[1]
        if field == "members":
            return head_row, "m_relation"
        return head_row, field if field != "head_name" else "m_name"

    def write(self, checked) -> dict:
        households = Household.objects.bulk_create(
            Household(tenant=self.tenant, **{f: data.get(f) or _blank(f) for f in HOUSEHOLD_FIELDS})
            for data, _people in checked)
        members = [Member(tenant=self.tenant, household=h, health=p.get("health") or [],
                          **{f: p.get(f) or "" for f in MEMBER_FIELDS if f != "health"})
                   for h, (_data, people) in zip(households, checked, strict=True) for p in people]
        for m in members:
            m.id_type = m.id_type or "01"
        Member.objects.bulk_create(members)
        return {"households": len(households), "members": len(members)}


def _blank(field: str):
    return {"other_causes": [], "exited_year": None, "standard": "02"}.get(field, "")
