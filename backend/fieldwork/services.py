"""Recording visits and calls (S4, S14, S15): entry, edits, voids, the second helper's confirmation, photos.

Rules:
- the pairing's helpers enter records for their own role; the town office of the household's town enters
  records for either role;
- a record is dated inside its pairing's period (from the pairing date to its end) and not in the future;
- a helper may enter or change a record up to `Policy.grace_days` after the date it happened (counted in the
  tenant's time zone); later entries and changes need the town office and a reason, and are flagged;
- an in-person visit is double-signed: the helper, and the household (signature, thumbprint or seal with the
  signer's name) or a village notary/witness (name, role, signature);
- every change is written to the append-only VisitEdit log and refreshes ContactMonth in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import transaction

from backend.common import clock
from backend.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor

from . import contacts, images
from .codes import item_labels
from .images import Upload
from .models import (
    Channel,
    EditAction,
    HelperRole,
    ImageKind,
    SignMethod,
    Visit,
    VisitEdit,
    VisitImage,
)

EDITABLE = ("occurred_on", "occurred_at", "items", "people_met", "summary", "problems_raised", "problems_solved",
            "follow_up")
TEXT_LIMITS = {"people_met": 100, "summary": 4000, "problems_raised": 2000, "problems_solved": 2000,
               "follow_up": 2000}
ENDED = "ended"  # Pairing.state of a finished pairing (read through the FK; workflows sit above us)


def _d(on: dt.date) -> str:
    return f"{on.year}年{on.month}月{on.day}日"


def _kind(channel: str) -> str:
    return "电话联系" if channel == Channel.PHONE else "入户走访"


# --- who may do what ---------------------------------------------------------------------------------------

def is_town_office_of(actor: Actor, pairing) -> bool:
    if actor.system:
        return True
    return (actor.has(Role.TOWN_OFFICE) and actor.organisation is not None
            and pairing.household.village.town_id == actor.organisation.pk)


def own_role(actor: Actor, pairing) -> str | None:
    person_id = getattr(actor.person, "pk", None)
    if person_id is None:
        return None
    if person_id == pairing.first_helper_id:
        return HelperRole.FIRST
    if person_id == pairing.second_helper_id:
        return HelperRole.SECOND
    return None


def _entry_role(actor: Actor, pairing, role: str | None) -> str:
    own = own_role(actor, pairing)
    if own is not None:
        if role and role != own:
            raise Forbidden(f"您是该户的{HelperRole(own).label}，只能录入本人的记录。")
        return own
    if is_town_office_of(actor, pairing):
        if role not in HelperRole.values:
            raise ValidationFailed.on("role", "请选择记录所属的帮扶责任人：第一帮扶责任人或第二帮扶责任人。")
        return role
    raise Forbidden("只有该户的帮扶责任人或所在镇街扶贫办可以录入走访和电话记录。")


def _check_tenant(actor: Actor, obj) -> None:
    if obj.tenant_id != actor.tenant.pk:
        raise NotFound()


# --- dates ----------------------------------------------------------------------------------------------

def local_today(tenant) -> dt.date:
    return clock.local_today(tenant.time_zone)


def pairing_period(pairing) -> tuple[dt.date, dt.date]:
    end = pairing.ended_on if pairing.state == ENDED and pairing.ended_on else pairing.term_end
    return pairing.proposed_on, end


def _check_date(pairing, on: dt.date, today: dt.date, channel: str) -> None:
    if on > today:
        raise ValidationFailed.on("occurred_on", f"{_kind(channel)}日期{_d(on)}晚于今天，不能录入尚未发生的记录。")
    start, end = pairing_period(pairing)
    if not start <= on <= end:
        raise ValidationFailed.on(
            "occurred_on",
            f"{_kind(channel)}日期{_d(on)}不在该户的结对帮扶期内（{_d(start)}至{_d(end)}），不能录入。")


def _check_time(tenant, on: dt.date, at: dt.datetime | None) -> None:
    if at is not None and at.astimezone(ZoneInfo(tenant.time_zone)).date() != on:
        raise ValidationFailed.on("occurred_at", f"时间与日期{_d(on)}不一致。")


def _is_late(on: dt.date, today: dt.date, policy: Policy) -> bool:
    return (today - on).days > policy.grace_days


def _late_gate(actor: Actor, pairing, late_dates: list[dt.date], policy: Policy, reason: str, what: str) -> bool:
    """True when the change is late; helpers are refused, the town office must give a reason."""
    if not late_dates:
        return False
    if not is_town_office_of(actor, pairing):
        raise Forbidden(f"{_d(min(late_dates))}的记录已超过补录期限（{policy.grace_days}天），"
                        f"{what}须由所在镇街扶贫办办理。")
    if not reason.strip():
        raise ValidationFailed.on("reason", f"超过补录期限（{policy.grace_days}天）{what}，请填写理由。")
    return True


# --- content --------------------------------------------------------------------------------------------

def _clean_items(items: Sequence[str]) -> list[str]:
    known = item_labels()
    bad = [code for code in items if code not in known]
    if bad:
        raise ValidationFailed.on("items", f"帮扶事项代码无效：{'、'.join(map(str, bad))}。")
    return list(dict.fromkeys(items))


def _clean_texts(values: dict) -> dict:
    labels = {f: Visit._meta.get_field(f).verbose_name for f in TEXT_LIMITS}
    for name, limit in TEXT_LIMITS.items():
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            raise ValidationFailed.on(name, f"{labels[name]}不能超过{limit}字。")
        values[name] = value
    if not values.get("items") and not values.get("summary"):
        raise ValidationFailed.on("items", "请至少选择一项帮扶事项或填写帮扶实录。")
    return values


def _signatures(*, channel: str, policy: Policy, helper_signature: Upload | None, method: str, signer_name: str,
                household_signature: Upload | None, witness_name: str, witness_role: str) -> dict:
    """The double signature of an in-person visit (S15); a call carries none."""
    if channel == Channel.PHONE:
        if helper_signature or household_signature or method:
            raise ValidationFailed.on("household_sign_method", "电话联系不需要签字，请勿上传签名。")
        return {"fields": {}, "images": {}}
    problems: dict[str, list[str]] = {}
    if helper_signature is None:
        problems["helper_signature"] = ["入户走访须有帮扶责任人签字。"]
    if method not in SignMethod.values:
        problems["household_sign_method"] = [
            "入户走访须由贫困户签字、按手印或盖章确认；贫困户不能签字的，由村公证人或见证人签字确认。"]
    elif method == SignMethod.WITNESS:
        if not witness_name.strip():
            problems["witness_name"] = ["请填写村公证人或见证人的姓名。"]
        if not witness_role.strip():
            problems["witness_role"] = ["请填写公证人或见证人的身份（如村公证人、村委委员）。"]
        if household_signature is None:
            problems["household_signature"] = ["请上传村公证人或见证人的签字。"]
    else:
        if not signer_name.strip():
            problems["household_signer_name"] = [f"请填写{SignMethod(method).label}人的姓名。"]
        if household_signature is None:
            problems["household_signature"] = [f"请上传{SignMethod(method).label}的图像。"]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    limit, formats = policy.signature_max_bytes, policy.photo_types
    checked = {
        ImageKind.HELPER_SIGNATURE: images.check(helper_signature, field="helper_signature", label="帮扶责任人签字图像",
                                                 max_bytes=limit, formats=formats),
        ImageKind.HOUSEHOLD_SIGNATURE: images.check(household_signature, field="household_signature",
                                                    label="贫困户签字（手印、印章）或见证人签字图像",
                                                    max_bytes=limit, formats=formats),
    }
    witness = method == SignMethod.WITNESS
    fields = {"household_sign_method": method, "household_signer_name": "" if witness else signer_name.strip(),
              "witness_name": witness_name.strip() if witness else "", "witness_role": witness_role.strip() if witness else ""}
    return {"fields": fields, "images": checked}


def _check_photos(photos: Sequence[Upload], *, policy: Policy, already: int = 0) -> list[images.CheckedImage]:
    if already + len(photos) > policy.photo_max_count:
        raise ValidationFailed.on("photos", f"每条记录最多{policy.photo_max_count}张照片（已有{already}张）。")
    return [images.check(p, field="photos", label=f"第{already + i}张照片", max_bytes=policy.photo_max_bytes,
                         formats=policy.photo_types) for i, p in enumerate(photos, start=1)]


def _store(visit: Visit, kind: str, image: images.CheckedImage, actor: Actor) -> VisitImage:
    return VisitImage.objects.create(
        tenant_id=visit.tenant_id, visit=visit, kind=kind, content_type=image.content_type, data=image.data,
        size=image.size, width=image.width, height=image.height, sha256=image.sha256,
        keeps_location=image.keeps_location, uploaded_by=actor.user)


def _log(visit: Visit, action: str, actor: Actor, *, late: bool = False, reason: str = "",
         changes: dict | None = None) -> None:
    VisitEdit.objects.create(tenant_id=visit.tenant_id, visit=visit, action=action, actor=actor.user,
                             actor_label=str(actor)[:60], late=late, reason=reason or "", changes=changes or {})


# --- services -------------------------------------------------------------------------------------------

@transaction.atomic
def record(*, actor: Actor, pairing, channel: str, occurred_on: dt.date, occurred_at: dt.datetime | None = None,
           role: str | None = None, items: Sequence[str] = (), people_met: str = "", summary: str = "",
           problems_raised: str = "", problems_solved: str = "", follow_up: str = "",
           helper_signature: Upload | None = None, household_sign_method: str = "",
           household_signer_name: str = "", household_signature: Upload | None = None, witness_name: str = "",
           witness_role: str = "", photos: Sequence[Upload] = (), reason: str = "") -> Visit:
    """Enter a visit (channel in_person) or a call (channel phone) for one helper of `pairing`."""
    _check_tenant(actor, pairing)
    if channel not in Channel.values:
        raise ValidationFailed.on("channel", "方式只能是入户走访或电话联系。")
    role = _entry_role(actor, pairing, role)
    today = local_today(actor.tenant)
    policy = Policy.current(actor.tenant, occurred_on)
    _check_date(pairing, occurred_on, today, channel)
    _check_time(actor.tenant, occurred_on, occurred_at)
    late = _late_gate(actor, pairing, [occurred_on] if _is_late(occurred_on, today, policy) else [], policy,
                      reason, "补录")
    values = _clean_texts({"items": _clean_items(items), "people_met": people_met, "summary": summary,
                           "problems_raised": problems_raised, "problems_solved": problems_solved,
                           "follow_up": follow_up})
    signed = _signatures(channel=channel, policy=policy, helper_signature=helper_signature,
                         method=household_sign_method, signer_name=household_signer_name,
                         household_signature=household_signature, witness_name=witness_name,
                         witness_role=witness_role)
    checked_photos = _check_photos(photos, policy=policy) if photos else []
    if checked_photos and channel == Channel.PHONE:
        raise ValidationFailed.on("photos", "电话联系不能附照片。")
    helper_id = pairing.first_helper_id if role == HelperRole.FIRST else pairing.second_helper_id
    visit = Visit.objects.create(
        tenant_id=pairing.tenant_id, pairing=pairing, helper_id=helper_id, role=role, channel=channel,
        occurred_on=occurred_on, occurred_at=occurred_at, entered_by=actor.user, late_entry=late,
        **values, **signed["fields"])
    for kind, image in signed["images"].items():
        _store(visit, kind, image, actor)
    for image in checked_photos:
        _store(visit, ImageKind.PHOTO, image, actor)
    _log(visit, EditAction.CREATE, actor, late=late, reason=reason)
    contacts.refresh(visit.tenant_id, [contacts.key_of(visit)])
    return visit


def _locked(visit: Visit) -> Visit:
    # of=self: lock only the visit row, not the joined pairing (inserts of other visits share-lock it).
    return (Visit.objects.select_for_update(of=("self",)).select_related("pairing__household__village")
            .get(pk=visit.pk))


def _check_changer(actor: Actor, visit: Visit) -> None:
    own = getattr(actor.person, "pk", None) == visit.helper_id and own_role(actor, visit.pairing) == visit.role
    if not own and not is_town_office_of(actor, visit.pairing):
        raise Forbidden("只有记录所属的帮扶责任人或所在镇街扶贫办可以修改或作废该记录。")
    if visit.voided:
        raise Conflict("该记录已作废，不能再修改。")


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


@transaction.atomic
def edit(*, actor: Actor, visit: Visit, changes: dict, reason: str = "") -> Visit:
    """Change what a record says or its date; late changes need the town office. A change after the second
    helper confirmed the record withdraws the confirmation (it confirmed other content)."""
    _check_tenant(actor, visit)
    visit = _locked(visit)
    _check_changer(actor, visit)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed.on(unknown[0], "该项不能修改；签字须重新录入记录。")
    pairing = visit.pairing
    today = local_today(actor.tenant)
    new_on = changes.get("occurred_on", visit.occurred_on)
    policy = Policy.current(actor.tenant, new_on)
    if "occurred_on" in changes:
        _check_date(pairing, new_on, today, visit.channel)
    _check_time(actor.tenant, new_on, changes.get("occurred_at", visit.occurred_at))
    late_dates = [d for d in {visit.occurred_on, new_on} if _is_late(d, today, policy)]
    late = _late_gate(actor, pairing, late_dates, policy, reason, "修改")
    merged = {f: changes.get(f, getattr(visit, f)) for f in EDITABLE}
    merged["items"] = _clean_items(merged["items"])
    merged = _clean_texts(merged)
    diff = {f: [_jsonable(getattr(visit, f)), _jsonable(merged[f])] for f in EDITABLE if merged[f] != getattr(visit, f)}
    if not diff:
        return visit
    old_key = contacts.key_of(visit)
    for name in diff:
        setattr(visit, name, merged[name])
    if visit.confirmed_by_id is not None:
        diff["confirmed_by"] = [visit.confirmed_by_id, None]
        visit.confirmed_by, visit.confirmed_at = None, None
    visit.late_entry = visit.late_entry or late
    visit.save()
    _log(visit, EditAction.EDIT, actor, late=late, reason=reason, changes=diff)
    contacts.refresh(visit.tenant_id, [old_key, contacts.key_of(visit)])
    return visit


@transaction.atomic
def void(*, actor: Actor, visit: Visit, reason: str) -> Visit:
    """Withdraw a record entered in error; it stops counting at once. Late voids need the town office."""
    _check_tenant(actor, visit)
    visit = _locked(visit)
    _check_changer(actor, visit)
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "作废记录须填写理由。")
    today = local_today(actor.tenant)
    policy = Policy.current(actor.tenant, visit.occurred_on)
    late_dates = [visit.occurred_on] if _is_late(visit.occurred_on, today, policy) else []
    late = _late_gate(actor, visit.pairing, late_dates, policy, reason, "作废")
    visit.voided, visit.voided_by, visit.voided_at, visit.void_reason = True, actor.user, clock.now(), reason.strip()
    visit.save()
    _log(visit, EditAction.VOID, actor, late=late, reason=reason)
    contacts.refresh(visit.tenant_id, [contacts.key_of(visit)])
    return visit


@transaction.atomic
def confirm(*, actor: Actor, visit: Visit, reason: str = "") -> Visit:
    """The second helper confirms a first helper's record (supervision instead of a separate attendance entry)."""
    _check_tenant(actor, visit)
    visit = _locked(visit)
    if own_role(actor, visit.pairing) != HelperRole.SECOND:
        raise Forbidden("只有该户的第二帮扶责任人可以确认第一帮扶责任人的记录。")
    if visit.role != HelperRole.FIRST:
        raise ValidationFailed.on("visit", "只能确认第一帮扶责任人的记录。")
    if visit.voided:
        raise Conflict("该记录已作废，不能确认。")
    if visit.confirmed_by_id is not None:
        raise Conflict(f"该记录已于{_d(visit.confirmed_at.astimezone(ZoneInfo(actor.tenant.time_zone)).date())}确认。")
    visit.confirmed_by, visit.confirmed_at = actor.person, clock.now()
    visit.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    _log(visit, EditAction.CONFIRM, actor, reason=reason)
    return visit


@transaction.atomic
def add_photos(*, actor: Actor, visit: Visit, photos: Sequence[Upload], reason: str = "") -> list[VisitImage]:
    """Attach optional photos to an in-person visit, within the policy's count, size and format limits."""
    _check_tenant(actor, visit)
    visit = _locked(visit)
    _check_changer(actor, visit)
    if visit.channel == Channel.PHONE:
        raise ValidationFailed.on("photos", "电话联系不能附照片。")
    if not photos:
        raise ValidationFailed.on("photos", "请选择要上传的照片。")
    today = local_today(actor.tenant)
    policy = Policy.current(actor.tenant, visit.occurred_on)
    late_dates = [visit.occurred_on] if _is_late(visit.occurred_on, today, policy) else []
    late = _late_gate(actor, visit.pairing, late_dates, policy, reason, "补充照片")
    already = visit.images.filter(kind=ImageKind.PHOTO).count()
    stored = [_store(visit, ImageKind.PHOTO, image, actor)
              for image in _check_photos(photos, policy=policy, already=already)]
    _log(visit, EditAction.PHOTO, actor, late=late, reason=reason, changes={"photos": [already, already + len(stored)]})
    return stored
