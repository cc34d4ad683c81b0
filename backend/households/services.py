"""Writes to households and members, and the one logged reveal of personal data."""

from __future__ import annotations

from django.db import transaction

from backend.common.errors import Forbidden, ValidationFailed
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor

from .models import Household, Member, PersonalDataAccess
from .validation import HEAD, validate_household, validate_members

HOUSEHOLD_FIELDS = ("code", "village", "address", "head_name", "phone", "bank_account", "size", "status",
                    "attribute", "standard", "main_cause", "other_causes", "identified_year", "exited_year")
MEMBER_FIELDS = ("name", "relation", "id_type", "id_number", "sex", "health", "labour", "education",
                 "school_status", "phone")


def _require_writer(actor: Actor, village) -> None:
    if actor.has(Role.OPERATOR, Role.CITY_OFFICE) or actor.system:
        return
    if actor.has(Role.TOWN_OFFICE) and village is not None and village.town_id == actor.organisation.pk:
        return
    raise Forbidden("只有市扶贫办或本镇街扶贫办可以登记和修改贫困户信息。")


@transaction.atomic
def save_household(*, actor: Actor, data: dict, members: list[dict], household: Household | None = None) -> Household:
    """Create or replace a household with its members; the head's name comes from the 01 member."""
    data = dict(data)
    if household is not None:
        data = {f: getattr(household, f) for f in HOUSEHOLD_FIELDS} | data
    _require_writer(actor, data.get("village"))
    if household is not None:
        _require_writer(actor, household.village)
    members = [dict(m) for m in members]
    head = next((m for m in members if m.get("relation") == HEAD), None)
    if head and not data.get("head_name"):
        data["head_name"] = head.get("name")
    data.setdefault("size", len(members))
    problems = validate_household(data, tenant=actor.tenant, area_code=actor.tenant.area_code)
    problems.update(validate_members(members, tenant=actor.tenant, size=data.get("size"),
                                     household_pk=household.pk if household else None))
    if head and data.get("head_name") != head.get("name"):
        problems.add("head_name", "户主姓名应与家庭成员中户主的姓名一致。")
    if household is None and Household.objects.filter(tenant=actor.tenant, code=data.get("code")).exists():
        problems.add("code", f"户编号{data.get('code')}已存在。")
    if problems:
        raise ValidationFailed(fields=dict(problems))
    values = {f: data.get(f) for f in HOUSEHOLD_FIELDS if f in data}
    values.setdefault("other_causes", [])
    for blank in ("address", "phone", "bank_account"):
        values[blank] = values.get(blank) or ""
    if household is None:
        household = Household.objects.create(tenant=actor.tenant, **values)
    else:
        for key, value in values.items():
            setattr(household, key, value)
        household.save()
        household.members.all().delete()
    Member.objects.bulk_create(Member(tenant=actor.tenant, household=household, **_member_values(m)) for m in members)
    return household


def _member_values(m: dict) -> dict:
    values = {f: m.get(f) or "" for f in MEMBER_FIELDS}
    values["health"] = m.get("health") or []
    values["id_type"] = m.get("id_type") or "01"
    return values


@transaction.atomic
def reveal(*, actor: Actor, household: Household, reason: str = "", channel: str = "api") -> dict:
    """Unmasked ID numbers and phones of one household, for a permitted actor; every call is logged."""
    if not actor.can_reveal or actor.user is None:
        raise Forbidden("您没有查看完整身份证号码和电话的权限。")
    fields = ["phone", "bank_account", "members.id_number", "members.phone"]
    PersonalDataAccess.objects.create(tenant=actor.tenant, user=actor.user, subject=f"households.Household:{household.pk}",
                                      fields=fields, channel=channel, reason=reason[:200])
    return {
        "phone": household.phone,
        "bank_account": household.bank_account,
        "members": [{"id": m.pk, "name": m.name, "id_number": m.id_number, "phone": m.phone}
                    for m in household.members.all()],
    }
