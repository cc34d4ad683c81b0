"""Holiday delivery campaigns (S5): the city office plans a campaign for a festival of a year, then every
in-scope household with an active pairing gets a delivery record that its first helper completes.

planned → delivering (delivery records created) → closed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common import clock
from backend.directory.models import Person
from backend.fieldwork.models import SignMethod
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet
from workflows.pairings.models import Pairing

from .festivals import Festival


class CampaignState(models.TextChoices):
    PLANNED = "planned", "计划中"
    DELIVERING = "delivering", "发放中"
    CLOSED = "closed", "已结束"


class CampaignQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        # Campaigns are the city office's plan; everyone working on deliveries may read them.
        return Q()


class DeliveryCampaign(ConcurrentTransitionMixin, TenantOwned):
    year = models.PositiveSmallIntegerField("年度")
    festival = models.CharField("节日", max_length=12, choices=Festival.choices)
    festival_on = models.DateField("节日日期", help_text="由历法计算，不手工填写")
    starts_on = models.DateField("发放开始日期")
    deliver_by = models.DateField("送达截止日期")
    goods = models.CharField("慰问物资", max_length=200)
    budget = models.DecimalField("预算（元）", max_digits=12, decimal_places=2)
    funding = models.CharField("资金来源", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    state = FSMField("状态", default=CampaignState.PLANNED, choices=CampaignState.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="制定人")
    created_at = models.DateTimeField(default=clock.now)
    started_at = models.DateTimeField("开始发放时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "节日慰问活动"
        ordering = ["-year", "festival_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year", "festival"], name="campaign_one_per_festival"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_not_negative"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("deliver_by")), name="campaign_window_order"),
        ]

    def __str__(self) -> str:
        # A year's 元旦 and 春节 fall in the next calendar year: name the festival's own year first.
        name = f"{self.festival_on.year}年{self.get_festival_display()}慰问"
        return name if self.festival_on.year == self.year else f"{name}（{self.year}年度）"

    @property
    def title(self) -> str:
        return str(self)

    @transition(field=state, source=CampaignState.PLANNED, target=CampaignState.DELIVERING,
                custom={"label": "开始发放"})
    def start(self, *, at):
        self.started_at = at

    @transition(field=state, source=CampaignState.DELIVERING, target=CampaignState.CLOSED,
                custom={"label": "结束活动"})
    def close(self, *, at):
        self.closed_at = at


class DeliveryQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            q |= Q(pairing__first_helper=actor.person) | Q(pairing__second_helper=actor.person)
        if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
            q |= Q(helper__organisation=actor.organisation)
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(household__village__town=actor.organisation)
        return q

    def pending(self):
        return self.filter(delivered_on__isnull=True)

    def done(self):
        return self.filter(delivered_on__isnull=False)


class Delivery(TenantOwned):
    """One household's delivery in one campaign; `delivered_on` stays null until the first helper hands the
    goods over and the household signs the receipt (or a witness does)."""

    campaign = models.ForeignKey(DeliveryCampaign, on_delete=models.PROTECT, related_name="deliveries",
                                 verbose_name="慰问活动")
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="deliveries", verbose_name="结对")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="deliveries",
                                  verbose_name="贫困户")
    helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="deliveries",
                               verbose_name="第一帮扶责任人")
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    goods = models.CharField("送达物资", max_length=200, blank=True)
    late = models.BooleanField("晚于送达截止日期", default=False)
    receipt_sign_method = models.CharField("签收方式", max_length=12, choices=SignMethod.choices, blank=True)
    receipt_signer_name = models.CharField("签收人", max_length=40, blank=True)
    witness_name = models.CharField("见证人姓名", max_length=40, blank=True)
    witness_role = models.CharField("见证人身份", max_length=40, blank=True)
    receipt_signature = models.BinaryField("签收图像", null=True, blank=True)
    receipt_content_type = models.CharField("签收图像格式", max_length=40, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "节日慰问送达记录"
        ordering = ["campaign_id", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="delivery_one_per_household"),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True)
                | (Q(receipt_sign_method__gt="") & Q(receipt_signature__isnull=False)),
                name="delivery_done_has_receipt"),
            models.CheckConstraint(
                condition=~Q(receipt_sign_method=SignMethod.WITNESS) | (Q(witness_name__gt="") & Q(witness_role__gt="")),
                name="delivery_witness_named"),
        ]
        indexes = [
            models.Index(fields=["campaign", "delivered_on"]),
            models.Index(fields=["tenant", "helper"]),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.household.head_name}"

    @property
    def delivered(self) -> bool:
        return self.delivered_on is not None
