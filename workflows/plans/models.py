"""Help plans (帮扶计划, A4): per pairing, a versioned plan of measures from the national categories.

draft → published (feeds A4, the card and the village disclosure) → revised (a newer version was
published). A pairing has at most one draft and one published version at a time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common import clock
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet
from workflows.pairings.models import Pairing

# The national code list (households.Code) of measure categories: 产业扶贫, 就业扶贫, 公益岗位, …
MEASURE_LIST = "measure"


class PlanState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已公布"
    REVISED = "revised", "已修订"


class HelpPlanQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            q |= Q(pairing__first_helper=actor.person) | Q(pairing__second_helper=actor.person)
        if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
            q |= Q(pairing__first_helper__organisation=actor.organisation)
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(household__village__town=actor.organisation)
        return q

    def published(self):
        return self.filter(state=PlanState.PUBLISHED)


class HelpPlan(ConcurrentTransitionMixin, TenantOwned):
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="help_plans", verbose_name="结对")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="help_plans",
                                  verbose_name="贫困户")
    version = models.PositiveSmallIntegerField("版本")
    headline = models.CharField("帮扶计划概要", max_length=120, blank=True,
                                help_text="村级公示和责任清单上显示的一句话")
    goal = models.TextField("帮扶目标", blank=True)
    state = FSMField("状态", default=PlanState.DRAFT, choices=PlanState.choices, protected=True)
    revises = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name="修订自")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="制定人")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_on = models.DateField("公布日期", null=True, blank=True)
    revised_on = models.DateField("修订日期", null=True, blank=True)

    objects = HelpPlanQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶计划"
        ordering = ["pairing_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "version"], name="plan_version_unique"),
            models.UniqueConstraint(fields=["pairing"], condition=Q(state="draft"), name="plan_one_draft"),
            models.UniqueConstraint(fields=["pairing"], condition=Q(state="published"), name="plan_one_published"),
        ]
        indexes = [models.Index(fields=["tenant", "state"])]

    def __str__(self) -> str:
        return f"{self.household.head_name}帮扶计划（第{self.version}版）"

    @transition(field=state, source=PlanState.DRAFT, target=PlanState.PUBLISHED, custom={"label": "公布"})
    def publish(self, *, on):
        self.published_on = on

    @transition(field=state, source=PlanState.PUBLISHED, target=PlanState.REVISED, custom={"label": "修订"})
    def supersede(self, *, on):
        self.revised_on = on


class PlanItemQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return Q(plan__in=HelpPlan.objects.visible_to(actor))


class PlanItem(TenantOwned):
    """One measure of a plan: its category from the `measure` code list, what is done, by whom, when, and the
    benefit expected (text, and optionally the expected yearly income gain in yuan)."""

    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="items", verbose_name="帮扶计划")
    order = models.PositiveSmallIntegerField("序号")
    measure = models.CharField("措施类别", max_length=10, help_text="measure 代码表中的代码")
    content = models.CharField("具体措施", max_length=300)
    responsible = models.CharField("责任单位或责任人", max_length=100, blank=True)
    expected_benefit = models.CharField("预期成效", max_length=300)
    expected_amount = models.DecimalField("预期增收（元/年）", max_digits=12, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("完成日期")

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "帮扶措施"
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="plan_item_order_unique"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="plan_item_dates_order"),
            models.CheckConstraint(condition=Q(expected_amount__isnull=True) | Q(expected_amount__gte=0),
                                   name="plan_item_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.content
