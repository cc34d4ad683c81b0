"""Inspections and phone surveys (S13, S17): the city office samples households, records per household
whether the helper is in place, whether the household confirms the visits, whether it knows the helper's name
and how satisfied it is. planned → conducted (findings final; misses recorded) → closed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common import clock
from backend.directory.models import Organisation, Person
from backend.fieldwork.models import Satisfaction
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet
from workflows.pairings.models import Pairing


class InspectionKind(models.TextChoices):
    ON_SITE = "on_site", "现场督导检查"
    PHONE = "phone", "电话调查"


class SampleMethod(models.TextChoices):
    RANDOM = "random", "随机抽样"
    CHOSEN = "chosen", "指定户"


class InspectionState(models.TextChoices):
    PLANNED = "planned", "计划中"
    CONDUCTED = "conducted", "已完成检查"
    CLOSED = "closed", "已结束"


FINAL_STATES = (InspectionState.CONDUCTED, InspectionState.CLOSED)


class InspectionQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        # A town office follows up the inspections that sampled its households, a unit those that found on its
        # helpers; helpers themselves learn of findings through the misses recorded from them.
        return Q(pk__in=Finding.objects.filter(_finding_scope(actor)).values("inspection_id"))

    def final(self):
        return self.filter(state__in=FINAL_STATES)


class Inspection(ConcurrentTransitionMixin, TenantOwned):
    kind = models.CharField("方式", max_length=10, choices=InspectionKind.choices)
    title = models.CharField("名称", max_length=100)
    planned_on = models.DateField("计划日期")
    conducted_on = models.DateField("检查完成日期", null=True, blank=True)
    method = models.CharField("抽样方式", max_length=10, choices=SampleMethod.choices)
    seed = models.BigIntegerField("随机种子", null=True, blank=True, help_text="随机抽样时记录，可复现样本")
    sample_size = models.PositiveIntegerField("样本户数")
    population = models.PositiveIntegerField("抽样总体户数", default=0)
    towns = models.ManyToManyField(Organisation, blank=True, related_name="+", verbose_name="限定镇街")
    units = models.ManyToManyField(Organisation, blank=True, related_name="+", verbose_name="限定部门单位")
    note = models.TextField("说明", blank=True)
    summary = models.TextField("检查结论", blank=True)
    state = FSMField("状态", default=InspectionState.PLANNED, choices=InspectionState.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="制定人")
    created_at = models.DateTimeField(default=clock.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "督导检查"
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["tenant", "state", "conducted_on"])]

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=InspectionState.PLANNED, target=InspectionState.CONDUCTED,
                custom={"label": "完成检查"})
    def conduct(self, *, on):
        self.conducted_on = on

    @transition(field=state, source=InspectionState.CONDUCTED, target=InspectionState.CLOSED,
                custom={"label": "结束检查"})
    def close(self, *, at, summary: str):
        self.closed_at = at
        self.summary = summary


def _finding_scope(actor: Actor) -> Q:
    q = NOTHING
    if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
        q |= Q(town=actor.organisation)
    if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
        q |= Q(unit=actor.organisation)
    return q


class FindingQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _finding_scope(actor)

    def recorded(self):
        return self.filter(recorded_at__isnull=False)

    def dissatisfied(self):
        return self.filter(satisfaction=Satisfaction.DISSATISFIED)


class Finding(TenantOwned):
    """One sampled household of an inspection. The pairing, helper, unit and town are kept as they were when
    the sample was drawn, so later replacements do not move a finding to another helper or unit."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings",
                                   verbose_name="督导检查")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="inspection_findings",
                                  verbose_name="贫困户")
    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="inspection_findings", verbose_name="结对")
    helper = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name="第一帮扶责任人")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="第一帮扶责任人单位")
    town = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="镇街")
    order = models.PositiveIntegerField("序号", default=0)
    # The findings; null until recorded.
    contacted = models.BooleanField("已联系到贫困户", null=True, blank=True)
    helper_in_place = models.BooleanField("帮扶责任人到位", null=True, blank=True)
    visits_confirmed = models.BooleanField("贫困户确认有走访", null=True, blank=True)
    knows_helper_name = models.BooleanField("知道帮扶责任人姓名", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    notes = models.TextField("情况记录", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "检查结果"
        ordering = ["inspection_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "household"], name="finding_one_per_household"),
            models.CheckConstraint(
                condition=~Q(contacted=False) | (Q(helper_in_place__isnull=True) & Q(visits_confirmed__isnull=True)
                                                 & Q(knows_helper_name__isnull=True) & Q(satisfaction="")),
                name="finding_uncontacted_has_no_answers"),
        ]
        indexes = [models.Index(fields=["tenant", "satisfaction"]), models.Index(fields=["tenant", "unit"])]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.household.head_name}"
