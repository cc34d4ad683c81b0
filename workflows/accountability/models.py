"""Misses (未按要求履职) — the facts the S17 ladder counts. Escalations are added by the workflows issue.

A miss is one row per judged fact with a unique key per tenant, so the engine, inspections and a person
can each record it at most once whatever runs twice or concurrently (SPEC §5).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from backend.directory.models import Organisation, Person
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
