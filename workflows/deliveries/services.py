"""Holiday delivery services (S5): plan a campaign, start it (one delivery record per in-scope household with
an active pairing), complete a delivery with the household's receipt, remind the first helpers, close.

The city office plans, starts and closes; the first helper of the pairing completes the delivery (the town
office of the household's town may enter it on the helper's behalf).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from backend.common import clock
from backend.common.errors import Conflict, TransitionNotAllowed, ValidationFailed
from backend.common.jobs import enqueue_on_commit, job
from backend.fieldwork import images
from backend.fieldwork.images import Upload
from backend.fieldwork.models import SignMethod
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.scoping import Actor
from notifications.services import notify
from workflows.core import recipients, transitions
from workflows.pairings.models import Pairing, PairingState
from workflows.plans.access import (
    OFFICES,
    d,
    helper_role,
    is_city_office,
    is_town_office_of,
    local_today,
    require,
    same_tenant,
)

from .festivals import Festival, date_of
from .models import CampaignState, Delivery, DeliveryCampaign

REMIND = job("deliveries.remind")
SWEEP = job("deliveries.sweep")
TEXT_LIMITS = {"goods": 200, "funding": 100}


def _require_office(actor: Actor) -> None:
    require(is_city_office(actor), "节日慰问活动由市扶贫办制定和管理。")


def _budget(value) -> Decimal:
    try:
        budget = Decimal(str(value))
        if not budget.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationFailed.on("budget", "预算金额无法识别。") from None
    if budget < 0:
        raise ValidationFailed.on("budget", "预算金额不能为负数。")
    if budget != budget.quantize(Decimal("0.01")):
        raise ValidationFailed.on("budget", "预算金额最多保留两位小数。")
    return budget


@transaction.atomic
def plan(*, actor: Actor, year: int, festival: str, goods: str, budget, starts_on: dt.date | None = None,
         deliver_by: dt.date | None = None, funding: str = "", note: str = "") -> DeliveryCampaign:
    """A campaign for `festival` of campaign year `year`; the festival's date is computed, never typed."""
    _require_office(actor)
    if festival not in Festival.values:
        raise ValidationFailed.on("festival", "节日只能是端午节、中秋节、重阳节、元旦或春节。")
    label = Festival(festival).label
    festival_on = date_of(festival, year)
    goods = (goods or "").strip()
    if not goods:
        raise ValidationFailed.on("goods", "请填写慰问物资。")
    for field, limit in TEXT_LIMITS.items():
        if len({"goods": goods, "funding": funding or ""}[field]) > limit:
            raise ValidationFailed.on(field, f"内容不能超过{limit}字。")
    deliver_by = deliver_by or festival_on - dt.timedelta(days=1)  # 节日前夕
    if deliver_by > festival_on:
        raise ValidationFailed.on("deliver_by", f"送达截止日期{d(deliver_by)}晚于{label}（{d(festival_on)}），"
                                                "慰问物资应在节日前送达。")
    starts_on = starts_on or min(local_today(actor.tenant), deliver_by)
    if starts_on > deliver_by:
        raise ValidationFailed.on("starts_on", f"发放开始日期{d(starts_on)}晚于送达截止日期{d(deliver_by)}。")
    campaign = DeliveryCampaign(tenant=actor.tenant, year=year, festival=festival, festival_on=festival_on,
                                starts_on=starts_on, deliver_by=deliver_by, goods=goods, budget=_budget(budget),
                                funding=(funding or "").strip(), note=(note or "").strip(), created_by=actor.user)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise Conflict(f"{year}年{label}慰问已有计划。", fields={"festival": ["该节日已有慰问计划。"]}) from None
    transitions.log_creation(campaign, actor=actor, data={"festival_on": festival_on.isoformat()})
    return campaign


def eligible_pairings(campaign: DeliveryCampaign):
    """Active pairings of households in scope (S1) in the campaign's year, by the policy of the festival day."""
    policy = Policy.current(campaign.tenant, campaign.festival_on)
    households = Household.objects.for_tenant(campaign.tenant).in_scope(policy, campaign.year)
    return Pairing.objects.filter(tenant=campaign.tenant, state=PairingState.ACTIVE, household__in=households)


def repoint_pending(campaign: DeliveryCampaign) -> int:
    """Pending deliveries whose pairing has ended (a helper was replaced) go to the household's active pairing
    and its first helper. Two queries and one bulk update."""
    stale = list(campaign.deliveries.pending().exclude(pairing__state=PairingState.ACTIVE))
    current = {p.household_id: p for p in Pairing.objects.filter(
        household_id__in=[row.household_id for row in stale], state=PairingState.ACTIVE)}
    moved = [row for row in stale if row.household_id in current]
    for row in moved:
        row.pairing, row.helper_id = current[row.household_id], current[row.household_id].first_helper_id
    Delivery.objects.bulk_update(moved, ["pairing", "helper"])
    return len(moved)


def add_deliveries(campaign: DeliveryCampaign) -> int:
    """A delivery record for every eligible household that has none in this campaign, and pending ones moved
    to the current pairing; idempotent."""
    repoint_pending(campaign)
    rows = eligible_pairings(campaign).values_list("pk", "household_id", "first_helper_id")
    before = campaign.deliveries.count()
    Delivery.objects.bulk_create(
        [Delivery(tenant_id=campaign.tenant_id, campaign=campaign, pairing_id=p, household_id=h, helper_id=f)
         for p, h, f in rows.iterator()],
        ignore_conflicts=True, batch_size=1000)
    return campaign.deliveries.count() - before


@transaction.atomic
def start(*, actor: Actor, campaign: DeliveryCampaign, reason: str = "") -> DeliveryCampaign:
    _require_office(actor)
    same_tenant(actor, campaign)
    transitions.apply(campaign, "start", actor=actor, roles=OFFICES, reason=reason, at=clock.now())
    created = add_deliveries(campaign)
    if created == 0:
        raise ValidationFailed.on("campaign", "没有符合条件的贫困户（须在帮扶范围内且结对已到位），无法开始发放。")
    enqueue_on_commit(REMIND, campaign_id=campaign.pk)
    return campaign


@transaction.atomic
def sync(*, actor: Actor, campaign: DeliveryCampaign) -> int:
    """Add the households paired since the campaign started, and hand pending deliveries of replaced helpers
    to the new ones (while it is delivering)."""
    _require_office(actor)
    same_tenant(actor, campaign)
    if campaign.state != CampaignState.DELIVERING:
        raise TransitionNotAllowed("只有发放中的慰问活动可以补充送达名单。")
    return add_deliveries(campaign)


@transaction.atomic
def close(*, actor: Actor, campaign: DeliveryCampaign, reason: str = "") -> DeliveryCampaign:
    _require_office(actor)
    same_tenant(actor, campaign)
    return transitions.apply(campaign, "close", actor=actor, roles=OFFICES, reason=reason, at=clock.now())


def _check_receipt(*, method: str, signer_name: str, witness_name: str, witness_role: str,
                   signature: Upload | None, policy: Policy):
    if method not in SignMethod.values:
        raise ValidationFailed.on("receipt_sign_method", "请选择签收方式：贫困户签字、按手印、盖私章或村公证人（见证人）签字。")
    if method == SignMethod.WITNESS:
        missing = {f: [f"请填写{label}。"] for f, label, v in (("witness_name", "见证人的姓名", witness_name),
                                                               ("witness_role", "见证人的身份", witness_role)) if not v}
        if missing:
            raise ValidationFailed(next(iter(missing.values()))[0], fields=missing)
    elif not signer_name:
        raise ValidationFailed.on("receipt_signer_name", "请填写签收人的姓名。")
    if signature is None:
        raise ValidationFailed.on("receipt_signature", "请上传签收的签字、手印或印章图像。")
    return images.check(signature, field="receipt_signature", label="签收图像", max_bytes=policy.signature_max_bytes,
                        formats=policy.photo_types)


@transaction.atomic
def complete(*, actor: Actor, delivery: Delivery, delivered_on: dt.date, receipt_sign_method: str,
             signature: Upload | None, receipt_signer_name: str = "", witness_name: str = "", witness_role: str = "",
             goods: str = "", note: str = "") -> Delivery:
    """The goods handed over, with the household's receipt (S5)."""
    same_tenant(actor, delivery)
    delivery = Delivery.objects.select_for_update().select_related("campaign", "pairing", "household__village").get(
        pk=delivery.pk)
    require(helper_role(actor, delivery.pairing) == "first" or is_town_office_of(actor, delivery.household),
            "节日慰问物资由该户的第一帮扶责任人送达登记（镇街扶贫办可代为登记）。")
    campaign = delivery.campaign
    if campaign.state != CampaignState.DELIVERING:
        raise TransitionNotAllowed(f"{campaign}{campaign.get_state_display()}，不能登记送达。")
    if delivery.delivered_on is not None:
        raise Conflict(f"{delivery.household.head_name}户本次慰问已于{d(delivery.delivered_on)}登记送达。")
    today = local_today(delivery.tenant)
    if delivered_on > today:
        raise ValidationFailed.on("delivered_on", f"送达日期{d(delivered_on)}晚于今天。")
    if delivered_on < campaign.starts_on:
        raise ValidationFailed.on("delivered_on", f"送达日期{d(delivered_on)}早于发放开始日期{d(campaign.starts_on)}。")
    signer, w_name, w_role = (receipt_signer_name or "").strip(), (witness_name or "").strip(), (witness_role or "").strip()
    image = _check_receipt(method=receipt_sign_method, signer_name=signer, witness_name=w_name, witness_role=w_role,
                           signature=signature, policy=Policy.current(delivery.tenant, delivered_on))
    delivery.delivered_on, delivery.late = delivered_on, delivered_on > campaign.deliver_by
    delivery.goods = (goods or "").strip()[:200] or campaign.goods
    delivery.receipt_sign_method, delivery.receipt_signer_name = receipt_sign_method, signer
    delivery.witness_name, delivery.witness_role = w_name, w_role
    delivery.receipt_signature, delivery.receipt_content_type = image.data, image.content_type
    delivery.note = (note or "").strip()[:500]
    delivery.entered_by, delivery.entered_at = actor.user, clock.now()
    delivery.save()
    return delivery


def remind(*, campaign: DeliveryCampaign, today: dt.date | None = None) -> int:
    """Tell each first helper with a pending delivery, from `reminder_days["delivery"]` days before the
    festival until it. One notification per delivery whatever runs twice (the key)."""
    today = today or local_today(campaign.tenant)
    days = int(Policy.current(campaign.tenant, today).reminder_days.get("delivery", 0))
    if campaign.state != CampaignState.DELIVERING or not (
            campaign.festival_on - dt.timedelta(days=days) <= today <= campaign.festival_on):
        return 0
    with transaction.atomic():
        repoint_pending(campaign)
    pending = list(campaign.deliveries.pending().select_related("helper", "household__village"))
    who = recipients.for_people({p.helper for p in pending})
    sent = 0
    with transaction.atomic():
        for delivery in pending:
            sent += len(notify(
                tenant=campaign.tenant, recipients=who[delivery.helper_id], kind="delivery_due",
                key=f"delivery_due:{delivery.pk}", obj=delivery, link=f"/api/v1/deliveries/{delivery.pk}/",
                town=delivery.household.village.town_id,
                context={"helper_name": delivery.helper.name, "household_name": delivery.household.head_name,
                         "festival": campaign.get_festival_display(), "festival_on": campaign.festival_on}))
    return sent


def remind_due(*, tenant=None, today: dt.date | None = None) -> int:
    """Every delivering campaign (of one tenant, or all), for the periodic sweep."""
    campaigns = DeliveryCampaign.objects.filter(state=CampaignState.DELIVERING).select_related("tenant")
    if tenant is not None:
        campaigns = campaigns.filter(tenant=tenant)
    return sum(remind(campaign=c, today=today) for c in campaigns)
