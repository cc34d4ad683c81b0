"""The deadline engine's own records (SPEC §5): calendar overrides, exemptions, runs and claimed batches.

Misses live in `workflows.accountability`; this app keeps what the engine needs to judge each thing once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.directory.models import Person, distinct_q
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class CalendarDay(models.Model):
    """A statutory holiday or make-up workday the calendar library does not know (or gets wrong).

    National data, not a tenant's: the State Council publishes one calendar for the whole country.
    An override wins over the library for its date.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选：调休上班日；不勾选：法定节假日")
    name = models.CharField("名称", max_length=40, blank=True, help_text="如：春节、国庆节调休")
    note = models.CharField("依据", max_length=200, blank=True, help_text="国务院办公厅放假安排通知文号")

    class Meta:
        verbose_name = verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


class ExemptionReason(models.TextChoices):
    LEAVE = "leave", "请假"
    HOSPITALISATION = "hospitalisation", "住院治疗"
    HOUSEHOLD_AWAY = "household_away", "贫困户外出"
    OTHER = "other", "其他"


class ExemptionState(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    REVOKED = "revoked", "已撤销"


class ExemptionQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            q |= Q(person=actor.person) | Q(household__pairings__first_helper=actor.person) \
                | Q(household__pairings__second_helper=actor.person)
        if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
            q |= Q(person__organisation=actor.organisation)
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(town=actor.organisation)
        return distinct_q(Exemption, q)

    def approved(self):
        return self.filter(state=ExemptionState.APPROVED)


class Exemption(ConcurrentTransitionMixin, TenantOwned):
    """A helper or a household excused over a date range; compliance windows it covers are not judged."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="exemptions",
                               verbose_name="帮扶责任人")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="exemptions", verbose_name="贫困户")
    # The town office that decides: the household's town, or the town of the helper's pairings.
    town = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="exemptions",
                             verbose_name="审批镇街")
    start_on = models.DateField("起始日期")
    end_on = models.DateField("截止日期")
    reason_code = models.CharField("事由", max_length=20, choices=ExemptionReason.choices)
    reason = models.TextField("情况说明")
    state = FSMField("状态", default=ExemptionState.REQUESTED, choices=ExemptionState.choices, protected=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "免于考核"
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False, household__isnull=True)
                                   | Q(person__isnull=True, household__isnull=False), name="exemption_one_subject"),
            models.CheckConstraint(condition=Q(end_on__gte=models.F("start_on")), name="exemption_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["tenant", "state", "person"]),
            models.Index(fields=["tenant", "state", "household"]),
        ]

    def __str__(self) -> str:
        subject = self.person.name if self.person_id else f"{self.household.head_name}户"
        return f"{subject} {self.start_on}—{self.end_on} {self.get_reason_code_display()}"

    @transition(field=state, source=ExemptionState.REQUESTED, target=ExemptionState.APPROVED,
                custom={"label": "批准"})
    def approve(self, *, at):
        self.decided_at = at

    @transition(field=state, source=ExemptionState.REQUESTED, target=ExemptionState.REJECTED,
                custom={"label": "不予批准"})
    def reject(self, *, at):
        self.decided_at = at

    @transition(field=state, source=ExemptionState.APPROVED, target=ExemptionState.REVOKED, custom={"label": "撤销"})
    def revoke(self, *, at):
        self.decided_at = at


class RunTrigger(models.TextChoices):
    DAILY = "daily", "每日定时"
    CLI = "cli", "命令行"
    API = "api", "手动触发"


class RunState(models.TextChoices):
    RUNNING = "running", "运行中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


class EngineRunQuerySet(TenantQuerySet):
    """Runs concern the whole tenant: only tenant-wide roles see them (the default scope)."""


class EngineRun(TenantOwned):
    """One pass of the engine for a tenant as of a date. Totals are summed from its batches, so a run
    resumed after a killed worker reports what it did in all its attempts."""

    as_of = models.DateField("核查日期")
    trigger = models.CharField("触发方式", max_length=10, choices=RunTrigger.choices)
    state = models.CharField("状态", max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    policy_version = models.PositiveIntegerField("政策版本", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    counts = models.JSONField("统计", default=dict)
    timings = models.JSONField("各步骤耗时（秒）", default=dict)
    error = models.TextField("错误", blank=True)

    objects = EngineRunQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "时限核查运行记录"
        ordering = ["-as_of", "-id"]
        constraints = [
            # One scheduled run per tenant and day, whatever the number of beat ticks or workers.
            models.UniqueConstraint(fields=["tenant", "as_of"], condition=Q(trigger="daily"),
                                    name="engine_run_one_daily"),
        ]
        indexes = [models.Index(fields=["tenant", "state"])]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.as_of} {self.get_trigger_display()} {self.get_state_display()}"


class Batch(TenantOwned):
    """A claimed unit of judging (a rule's window in one town, a cutoff, a quarter's reports).

    The claim row is written first in the batch's transaction: a concurrent claimant waits on the unique
    key and then finds it taken; a claimant killed before commit leaves no row, so the work is redone.
    """

    key = models.CharField("批次键", max_length=200)
    step = models.CharField("步骤", max_length=30)
    run = models.ForeignKey(EngineRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="batches")
    judged = models.PositiveIntegerField("核查数", default=0)
    created = models.PositiveIntegerField("新增记录数", default=0)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "核查批次"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="engine_batch_key_unique")]
        indexes = [models.Index(fields=["run", "step"])]

    def __str__(self) -> str:
        return self.key
