"""Replacement (更换备案): replacing a pairing's helper, filed with the city office ahead of time (S7).

filed → accepted | rejected; an accepted replacement takes effect on its effective date (the old pairing
ends and the new one is active, in one transaction): accepted → effective.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.directory.models import Person
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class ReplacementState(models.TextChoices):
    FILED = "filed", "已备案待审"
    ACCEPTED = "accepted", "已同意"
    REJECTED = "rejected", "未同意"
    EFFECTIVE = "effective", "已生效"


class ReplacementReason(models.TextChoices):
    """Why the helper changes. The special ones that allow short notice are listed in the policy."""

    DEATH = "death", "帮扶责任人去世"
    SERIOUS_ILLNESS = "serious_illness", "帮扶责任人患重病"
    TRANSFER = "transfer", "帮扶责任人工作调动"
    DISMISSAL = "dismissal", "帮扶责任人被免职或辞退"
    RETIREMENT = "retirement", "帮扶责任人退休"
    WORK_NEEDS = "work_needs", "工作需要"
    OTHER = "other", "其他"


class HelperSide(models.TextChoices):
    FIRST = "first", "第一帮扶责任人"
    SECOND = "second", "第二帮扶责任人"


class ReplacementQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        if actor.person is not None:
            q |= Q(old_helper=actor.person) | Q(new_helper=actor.person)
        if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
            q |= Q(old_helper__organisation=actor.organisation) | Q(new_helper__organisation=actor.organisation)
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            q |= Q(pairing__household__village__town=actor.organisation)
        return q

    def due(self, on):
        return self.filter(state=ReplacementState.ACCEPTED, effective_on__lte=on)


class Replacement(ConcurrentTransitionMixin, TenantOwned):
    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, related_name="replacements",
                                verbose_name="原结对")
    side = models.CharField("更换对象", max_length=10, choices=HelperSide.choices, default=HelperSide.FIRST)
    old_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="replaced_in",
                                   verbose_name="原帮扶责任人")
    new_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="replacing_in",
                                   verbose_name="新帮扶责任人")
    reason_code = models.CharField("更换原因", max_length=20, choices=ReplacementReason.choices)
    reason = models.TextField("情况说明", blank=True)
    filed_on = models.DateField("备案日期")
    effective_on = models.DateField("生效日期")
    state = FSMField("状态", default=ReplacementState.FILED, choices=ReplacementState.choices, protected=True)
    urgent = models.BooleanField("紧急更换", default=False, help_text="提前不足规定天数、因特殊原因同意的更换")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True)
    new_pairing = models.OneToOneField("pairings.Pairing", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="created_by_replacement", verbose_name="新结对")
    took_effect_at = models.DateTimeField("生效执行时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReplacementQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "更换帮扶责任人备案"
        ordering = ["-filed_on", "-id"]
        constraints = [
            # One live filing per pairing: a second one waits for the first to be decided.
            models.UniqueConstraint(fields=["pairing"], condition=Q(state__in=["filed", "accepted"]),
                                    name="replacement_one_live_per_pairing"),
            models.CheckConstraint(condition=~Q(old_helper=models.F("new_helper")), name="replacement_changes_helper"),
        ]
        indexes = [models.Index(fields=["tenant", "state", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.old_helper.name}→{self.new_helper.name}（{self.effective_on}）"

    @transition(field=state, source=ReplacementState.FILED, target=ReplacementState.ACCEPTED, custom={"label": "同意"})
    def accept(self, *, at, urgent: bool, note: str):
        self.decided_at, self.urgent, self.decision_note = at, urgent, note

    @transition(field=state, source=ReplacementState.FILED, target=ReplacementState.REJECTED, custom={"label": "不同意"})
    def reject(self, *, at, note: str):
        self.decided_at, self.decision_note = at, note

    @transition(field=state, source=ReplacementState.ACCEPTED, target=ReplacementState.EFFECTIVE,
                custom={"label": "生效"})
    def take_effect(self, *, at, new_pairing):
        self.took_effect_at, self.new_pairing = at, new_pairing
