"""Cadres (帮扶责任人人选): name, organisation, position, mobile, party member, reserve cadre, category."""

from __future__ import annotations

from backend.common.crypto import blind_index
from backend.common.validators import InvalidValue, validate_mobile
from backend.directory.models import (
    FIRST_HELPER_CATEGORIES,
    HelperCategory,
    Organisation,
    OrgKind,
    Person,
    Village,
)
from backend.tenancy.roles import Role

from .base import Field, Importer, Row, normalise_header, yes_no

TOWN_CATEGORIES = {HelperCategory.TOWN_CADRE, HelperCategory.VILLAGE_CADRE}


class CadreImporter(Importer):
    kind = "cadres"
    title = "干部（帮扶责任人人选）"
    fields = (
        Field("name", "姓名", required=True),
        Field("organisation", "工作单位", required=True, aliases=("单位", "单位代码", "所在单位")),
        Field("position", "职务"),
        Field("phone", "联系电话", required=True, aliases=("手机号码", "手机", "联系方式")),
        Field("party_member", "是否党员", aliases=("中共党员", "党员")),
        Field("reserve_cadre", "是否后备干部", aliases=("后备干部",)),
        Field("helper_category", "人员类别", required=True, aliases=("帮扶人员类别", "类别")),
        Field("village", "所在村", aliases=("村", "村代码")),
    )
    roles = ("operator", "city_office", "town_office", "unit_liaison")

    def __init__(self, actor):
        super().__init__(actor)
        orgs = list(Organisation.objects.filter(tenant=self.tenant, kind__in=[OrgKind.UNIT, OrgKind.TOWN]))
        self.orgs = {o.code: o for o in orgs} | {o.name: o for o in orgs}
        self.orgs |= {o.short_name: o for o in orgs if o.short_name and o.kind == OrgKind.TOWN}
        villages = list(Village.objects.filter(tenant=self.tenant))
        self.villages = {v.code: v for v in villages}
        self.village_names: dict[tuple[int, str], Village] = {(v.town_id, v.name): v for v in villages}
        self.categories = ({normalise_header(label): value for value, label in HelperCategory.choices}
                           | {v: v for v in HelperCategory.values})

    def _may_import_for(self, org) -> bool:
        actor = self.actor
        if actor.system or actor.has(Role.OPERATOR, Role.CITY_OFFICE):
            return True
        return actor.organisation is not None and org.pk == actor.organisation.pk

    def _village(self, row: Row, org) -> Village | None:
        raw = row["village"].strip()
        village = self.villages.get(raw) or self.village_names.get((org.pk, raw))
        if village is None or village.town_id != org.pk:
            self.error(row, "village", f"所在村“{raw}”不是{org.name}的村。")
            return None
        return village

    def check(self, rows: list[Row], progress) -> list[dict]:
        phones = {}
        for row in rows:
            try:
                phones[row.number] = validate_mobile(row["phone"]) if row["phone"].strip() else None
            except InvalidValue as e:
                self.error(row, "phone", str(e))
        indexes = {blind_index("phone", p): p for p in phones.values() if p}
        taken = set(Person.objects.filter(tenant=self.tenant, phone_index__in=indexes).values_list("phone_index", flat=True))
        taken_phones = {indexes[i] for i in taken}
        seen: dict[str, int] = {}
        checked = []
        for i, row in enumerate(rows, 1):
            before = len(self.errors)
            self.required(row, "name", "organisation", "phone", "helper_category")
            org = self.orgs.get(row["organisation"].strip())
            if row["organisation"].strip() and org is None:
                self.error(row, "organisation", f"工作单位“{row['organisation']}”不存在，请填写单位代码或全称。")
            elif org is not None and not self._may_import_for(org):
                self.error(row, "organisation", f"您只能导入本单位的人员，不能导入{org.name}的人员。")
            phone = phones.get(row.number)
            if phone in taken_phones:
                self.error(row, "phone", "该手机号码已登记在其他干部名下。")
            elif phone and phone in seen:
                self.error(row, "phone", f"手机号码与第{seen[phone]}行重复。")
            if phone:
                seen.setdefault(phone, row.number)
            category = self.categories.get(normalise_header(row["helper_category"]))
            if row["helper_category"].strip() and category is None:
                self.error(row, "helper_category", f"人员类别“{row['helper_category']}”无效，应为：{'、'.join(HelperCategory.labels)}。")
            party, reserve = yes_no(row["party_member"]), yes_no(row["reserve_cadre"])
            for key, value in (("party_member", party), ("reserve_cadre", reserve)):
                if value is None:
                    self.error(row, key, f"{self.by_key[key].header}应填“是”或“否”。")
            village = self._check_category(row, org, category) if org is not None and category else None
            if len(self.errors) == before:
                checked.append({"name": row["name"].strip(), "organisation": org, "position": row["position"].strip(),
                                "phone": phone, "party_member": party, "reserve_cadre": reserve,
                                "helper_category": category, "village": village})
            progress(i, len(rows))
        return checked

    def _check_category(self, row: Row, org, category) -> Village | None:
        if category in FIRST_HELPER_CATEGORIES and org.kind != OrgKind.UNIT:
            self.error(row, "helper_category", f"{HelperCategory(category).label}应属于部门单位，{org.name}是镇街。")
        elif category in TOWN_CATEGORIES and org.kind != OrgKind.TOWN:
            self.error(row, "helper_category", f"{HelperCategory(category).label}应属于镇街，{org.name}是部门单位。")
        elif category == HelperCategory.VILLAGE_CADRE:
            if not row["village"].strip():
                self.error(row, "village", "村干部须填写所在村。")
                return None
            return self._village(row, org)
        return None

    def write(self, checked) -> dict:
        people = Person.objects.bulk_create(Person(tenant=self.tenant, **values) for values in checked)
        return {"people": len(people)}
