"""Quarterly report (季度报告), per town × quarter (S6, S11, S14): compiled from the records with no typing,
attested by each second helper for the first helpers they supervise, submitted by the town, approved or
returned by the city office.

open → compiled → submitted → approved | returned → compiled (reopened for named villages) → submitted …
Each submission keeps a snapshot of its lines, so a resubmission shows what changed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.directory.models import Organisation, Person, Village, distinct_q
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet

QUARTER_NAMES = "一二三四"


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end - dt.timedelta(days=1)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年第{QUARTER_NAMES[quarter - 1]}季度"


class ReportState(models.TextChoices):
    OPEN = "open", "待汇总"
    COMPILED = "compiled", "已汇总"
    SUBMITTED = "submitted", "已报送"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"


def _line_scope(actor: Actor, prefix: str) -> Q:
    q = NOTHING
    if actor.person is not None:
        q |= Q(**{f"{prefix}first_helper": actor.person}) | Q(**{f"{prefix}second_helper": actor.person})
    if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
        q |= Q(**{f"{prefix}first_helper__organisation": actor.organisation})
    return q


class QuarterlyReportQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = distinct_q(QuarterlyReport, _line_scope(actor, "lines__"))
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(town=actor.organisation)
        return q


class QuarterlyReport(ConcurrentTransitionMixin, TenantOwned):
    town = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="quarterly_reports",
                             limit_choices_to={"kind": "town"}, verbose_name="镇街")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(i, f"第{QUARTER_NAMES[i - 1]}季度") for i in (1, 2, 3, 4)])
    due_on = models.DateField("报送截止日")
    state = FSMField("状态", default=ReportState.OPEN, choices=ReportState.choices, protected=True)
    compiled_at = models.DateTimeField("汇总时间", null=True, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    override_reason = models.TextField("未全部确认即报送的理由", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    revision = models.PositiveSmallIntegerField("报送次数", default=0)
    reopened_villages = models.ManyToManyField(Village, blank=True, related_name="+", verbose_name="退回后修改的村")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "季度报告"
        ordering = ["-year", "-quarter", "town__code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "town", "year", "quarter"], name="report_town_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="report_quarter_valid"),
        ]
        indexes = [models.Index(fields=["tenant", "state", "due_on"])]

    def __str__(self) -> str:
        return f"{self.town.name}{self.label}"

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return quarter_bounds(self.year, self.quarter)

    @transition(field=state, source=[ReportState.OPEN, ReportState.COMPILED], target=ReportState.COMPILED,
                custom={"label": "汇总"})
    def compile(self, *, at):
        self.compiled_at = at

    @transition(field=state, source=ReportState.COMPILED, target=ReportState.SUBMITTED, custom={"label": "报送"})
    def submit(self, *, at, late: bool, override_reason: str):
        self.submitted_at, self.late, self.override_reason = at, late, override_reason
        self.revision += 1

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.APPROVED, custom={"label": "审核通过"})
    def approve(self, *, at):
        self.decided_at = at

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.RETURNED, custom={"label": "退回", "api": "return"})
    def return_to_town(self, *, at, why: str):
        self.decided_at, self.return_reason = at, why

    @transition(field=state, source=ReportState.RETURNED, target=ReportState.COMPILED, custom={"label": "重新修改"})
    def reopen(self, *, at):
        self.compiled_at = at


class ReportLineQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = _line_scope(actor, "")
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(report__town=actor.organisation)
        return q


class ReportLine(TenantOwned):
    """One pairing's quarter, gathered from the records (A3's attendance row)."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="lines")
    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, related_name="report_lines")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+")
    first_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    second_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    first_visits = models.PositiveSmallIntegerField("第一帮扶责任人入户次数", default=0)
    first_visit_dates = models.JSONField("入户日期", default=list)
    first_calls = models.PositiveSmallIntegerField("第一帮扶责任人电话次数", default=0)
    second_visits = models.PositiveSmallIntegerField("第二帮扶责任人入户次数", default=0)
    misses = models.PositiveSmallIntegerField("未履职次数", default=0)
    deliveries = models.PositiveSmallIntegerField("节日慰问送达次数", default=0)

    objects = ReportLineQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "季度报告明细"
        ordering = ["report_id", "village__code", "household__code"]
        constraints = [models.UniqueConstraint(fields=["report", "pairing"], name="report_line_pairing_once")]

    FIGURES = ("first_visits", "first_visit_dates", "first_calls", "second_visits", "misses", "deliveries")

    def snapshot(self) -> dict:
        return {"household": self.household_id, "village": self.village_id, "first_helper": self.first_helper_id,
                "second_helper": self.second_helper_id, **{name: getattr(self, name) for name in self.FIGURES}}


class Attestation(TenantOwned):
    """A second helper confirms the quarter's figures of the first helpers they supervise (S6, S14)."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="attestations")
    second_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attestations",
                                      verbose_name="第二帮扶责任人")
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = verbose_name_plural = "季度报告确认"
        constraints = [models.UniqueConstraint(fields=["report", "second_helper"], name="attestation_once")]


class Submission(TenantOwned):
    """What the city office received at each submission: the lines as they stood, to diff the next one."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="submissions")
    revision = models.PositiveSmallIntegerField("第几次报送")
    submitted_at = models.DateTimeField("报送时间")
    lines = models.JSONField("明细", help_text="{pairing_id: line snapshot}")
    attested_by = models.JSONField("已确认的第二帮扶责任人", default=list)
    override_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "季度报告报送记录"
        ordering = ["report_id", "revision"]
        constraints = [models.UniqueConstraint(fields=["report", "revision"], name="submission_revision_once")]
