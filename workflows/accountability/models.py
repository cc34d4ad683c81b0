"""Misses (未按要求履职) — the facts the S17 ladder counts — and escalations (问责), one per ladder step.

A miss is one row per judged fact with a unique key per tenant, so the engine, inspections and a person
can each record it at most once whatever runs twice or concurrently (SPEC §5). An escalation is unique per
(year, level, helper) or (year, level, unit) among those not withdrawn, for the same reason.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.directory.models import Organisation, Person, distinct_q
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class MissKind(models.TextChoices):
    VISIT = "visit", "未按要求入户走访"
    CALL = "call", "未按要求电话联系"
    NOT_IN_PLACE = "not_in_place", "未按期到位"
    VISIT_NOT_CONFIRMED = "visit_not_confirmed", "走访未获贫困户确认"
    ROSTER_OVERDUE = "roster_overdue", "名单逾期未报"
    REPORT_OVERDUE = "report_overdue", "季度报告逾期未报"
    UNFILED_REPLACEMENT = "unfiled_replacement", "未备案更换帮扶责任人"


class MissSource(models.TextChoices):
    ENGINE = "engine", "时限核查"
    INSPECTION = "inspection", "督导检查"
    MANUAL = "manual", "人工登记"
    WORKFLOW = "workflow", "流程记录"


class MissState(models.TextChoices):
    RECORDED = "recorded", "已记录"
    WITHDRAWN = "withdrawn", "已撤销"


class MissQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            q |= Q(person=actor.person)
        if actor.has(Role.UNIT_LIAISON, Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(organisation=actor.organisation) | Q(town=actor.organisation)
        return q

    def counting(self):
        """Misses that count toward the ladder: recorded, not withdrawn, and of a counting kind."""
        return self.filter(state=MissState.RECORDED, counts_for_ladder=True)


class Miss(TenantOwned):
    key = models.CharField("唯一键", max_length=160,
                           help_text="e.g. visit:pairing=12:role=first:2018-05-01..2018-06-30")
    kind = models.CharField("类型", max_length=30, choices=MissKind.choices)
    source = models.CharField("来源", max_length=20, choices=MissSource.choices, default=MissSource.ENGINE)
    state = models.CharField("状态", max_length=20, choices=MissState.choices, default=MissState.RECORDED)
    year = models.PositiveSmallIntegerField("考核年度")
    # Whom it concerns; which are set depends on the kind.
    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, null=True, blank=True, related_name="misses")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="misses",
                               verbose_name="帮扶责任人")
    role = models.CharField("帮扶角色", max_length=10, blank=True)  # first / second
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="misses", verbose_name="责任单位")
    town = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="town_misses",
                             verbose_name="镇街")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True, related_name="misses")
    window_start = models.DateField("考核期起", null=True, blank=True)
    window_end = models.DateField("考核期止", null=True, blank=True)
    counts_for_ladder = models.BooleanField("计入问责", default=True)
    policy_version = models.PositiveIntegerField("判定所依政策版本")
    evidence = models.JSONField("依据", default=dict, help_text="what was looked for, in which dates")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField("撤销依据", blank=True)

    objects = MissQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "未履职记录"
        ordering = ["-window_end", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="miss_key_unique")]
        indexes = [
            models.Index(fields=["tenant", "year", "person"]),
            models.Index(fields=["tenant", "year", "organisation"]),
            models.Index(fields=["tenant", "kind", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class EscalationLevel(models.IntegerChoices):
    """S17: the first and second miss of a helper, and a unit's misses or dissatisfied household."""

    HELPER_FIRST = 1, "一级：通报单位并约谈帮扶责任人"
    HELPER_SECOND = 2, "二级：单位公开批评并取消当年评先树优资格"
    UNIT = 3, "三级：领导小组通报批评单位并约谈主要负责人"


LEVEL_SHORT = {1: "一级", 2: "二级", 3: "三级"}
HELPER_LEVELS = (EscalationLevel.HELPER_FIRST, EscalationLevel.HELPER_SECOND)


class EscalationState(models.TextChoices):
    OPEN = "open", "待处理"
    NOTICE_ISSUED = "notice_issued", "已通报"
    INTERVIEW_SCHEDULED = "interview_scheduled", "已安排约谈"
    INTERVIEW_HELD = "interview_held", "已约谈"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤销"


ESCALATION_OPEN_STATES = (EscalationState.OPEN, EscalationState.NOTICE_ISSUED, EscalationState.INTERVIEW_SCHEDULED,
                          EscalationState.INTERVIEW_HELD)


class EscalationQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            q |= Q(person=actor.person)
        if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
            q |= Q(organisation=actor.organisation)
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= distinct_q(Escalation, Q(misses__town=actor.organisation))
        return q

    def open(self):
        return self.filter(state__in=ESCALATION_OPEN_STATES)

    def award_ineligible(self, year: int):
        """Helpers who lost that year's award eligibility (评先树优), for the assessment readers."""
        return self.filter(year=year, loses_award_eligibility=True).exclude(state=EscalationState.WITHDRAWN)


class Escalation(ConcurrentTransitionMixin, TenantOwned):
    """One step of the S17 ladder. Levels 1–2 target a first helper and are sent to the helper's unit;
    level 3 targets a unit (the leadership group acts, the unit head is interviewed)."""

    level = models.PositiveSmallIntegerField("问责级别", choices=EscalationLevel.choices)
    year = models.PositiveSmallIntegerField("考核年度")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations",
                               verbose_name="帮扶责任人")
    # Levels 1–2: the helper's unit (it receives the notice); level 3: the unit held accountable.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="escalations",
                                     verbose_name="责任单位")
    misses = models.ManyToManyField(Miss, related_name="escalations", blank=True, verbose_name="未履职记录")
    state = FSMField("状态", default=EscalationState.OPEN, choices=EscalationState.choices, protected=True)
    reason = models.TextField("问责事由", blank=True)
    source = models.CharField("来源", max_length=20, choices=MissSource.choices, default=MissSource.ENGINE)
    loses_award_eligibility = models.BooleanField("取消当年评先树优资格", default=False)
    notice_issued_at = models.DateTimeField("通报时间", null=True, blank=True)
    interview_at = models.DateTimeField("约谈时间", null=True, blank=True)
    interview_place = models.CharField("约谈地点", max_length=100, blank=True)
    interviewer = models.CharField("约谈人", max_length=100, blank=True)
    interview_held_at = models.DateTimeField("约谈完成时间", null=True, blank=True)
    interview_notes = models.TextField("约谈记录", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawal_evidence = models.TextField("撤销依据", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "问责"
        ordering = ["-year", "-level", "-id"]
        constraints = [
            # One live escalation per step: the engine may run twice or on two workers at once (SPEC §5).
            models.UniqueConstraint(fields=["tenant", "year", "level", "person"],
                                    condition=Q(level__in=[1, 2]) & ~Q(state="withdrawn"),
                                    name="escalation_helper_step_unique"),
            models.UniqueConstraint(fields=["tenant", "year", "level", "organisation"],
                                    condition=Q(level=3) & ~Q(state="withdrawn"),
                                    name="escalation_unit_step_unique"),
            models.CheckConstraint(condition=Q(level__in=[1, 2], person__isnull=False) | Q(level=3, person__isnull=True),
                                   name="escalation_target_matches_level"),
        ]
        indexes = [models.Index(fields=["tenant", "year", "state"])]

    def __str__(self) -> str:
        return f"{self.year}年{LEVEL_SHORT.get(self.level, '')}问责：{self.target_name}"

    @property
    def target_name(self) -> str:
        return self.person.name if self.person_id else self.organisation.name

    @property
    def targets_unit(self) -> bool:
        return self.level == EscalationLevel.UNIT

    @transition(field=state, source=EscalationState.OPEN, target=EscalationState.NOTICE_ISSUED,
                custom={"label": "下发通报"})
    def issue_notice(self, *, at):
        self.notice_issued_at = at

    @transition(field=state, source=[EscalationState.NOTICE_ISSUED, EscalationState.INTERVIEW_SCHEDULED],
                target=EscalationState.INTERVIEW_SCHEDULED, custom={"label": "安排约谈"})
    def schedule_interview(self, *, when, where: str, who: str):
        self.interview_at, self.interview_place, self.interviewer = when, where, who

    @transition(field=state, source=EscalationState.INTERVIEW_SCHEDULED, target=EscalationState.INTERVIEW_HELD,
                custom={"label": "记录约谈"})
    def hold_interview(self, *, at, notes: str):
        self.interview_held_at, self.interview_notes = at, notes

    @transition(field=state, source=EscalationState.INTERVIEW_HELD, target=EscalationState.CLOSED,
                custom={"label": "办结"})
    def close(self, *, at):
        self.closed_at = at

    @transition(field=state, source=ESCALATION_OPEN_STATES, target=EscalationState.WITHDRAWN,
                custom={"label": "撤销"})
    def withdraw(self, *, at, evidence: str):
        self.withdrawn_at, self.withdrawal_evidence = at, evidence
        self.loses_award_eligibility = False
