"""Pairing (结对): a household with its first and second helper, proposed → active → ended (SPEC §4)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.directory.models import Person
from backend.households.models import Household
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class PairingState(models.TextChoices):
    PROPOSED = "proposed", "待见面"
    ACTIVE = "active", "帮扶中"
    ENDED = "ended", "已结束"


OPEN_STATES = (PairingState.PROPOSED, PairingState.ACTIVE)


class EndReason(models.TextChoices):
    TERM_OVER = "term_over", "帮扶期满"
    HOUSEHOLD_EXITED = "household_exited", "贫困户退出"
    REPLACED = "replaced", "更换帮扶责任人"
    DEREGISTERED = "deregistered", "贫困户注销"


class PairingQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = _own_q(actor)
        if actor.has(Role.TOWN_OFFICE):
            q |= Q(household__village__town=actor.organisation)
        return q

    def open(self):
        return self.filter(state__in=OPEN_STATES)


def _own_q(actor: Actor) -> Q:
    q = NOTHING
    if actor.person is not None:
        q |= Q(first_helper=actor.person) | Q(second_helper=actor.person)
    if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
        q |= Q(first_helper__organisation=actor.organisation)
    return q


class Pairing(ConcurrentTransitionMixin, TenantOwned):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="pairings", verbose_name="贫困户")
    first_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="first_pairings",
                                     verbose_name="第一帮扶责任人")
    second_helper = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="second_pairings",
                                      verbose_name="第二帮扶责任人")
    # Capacity slots: (helper, slot) is unique among open pairings and a slot never exceeds the policy's
    # capacity, so concurrent assignments cannot overfill a helper whatever the capacity is (S2, S3).
    first_slot = models.PositiveSmallIntegerField(default=1)
    second_slot = models.PositiveSmallIntegerField(default=1)
    state = FSMField("状态", default=PairingState.PROPOSED, choices=PairingState.choices, protected=True)
    proposed_on = models.DateField("结对日期")
    met_on = models.DateField("首次入户见面日期", null=True, blank=True)
    late = models.BooleanField("逾期到位", default=False)
    term_end = models.DateField("帮扶期至")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=20, choices=EndReason.choices, blank=True)
    replaced_by_filing = models.BooleanField("经备案更换", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "结对"
        ordering = ["household_id", "-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(state__in=OPEN_STATES),
                                    name="pairing_one_open_per_household"),
            models.UniqueConstraint(fields=["first_helper", "first_slot"], condition=Q(state__in=OPEN_STATES),
                                    name="pairing_first_helper_slot"),
            models.UniqueConstraint(fields=["second_helper", "second_slot"], condition=Q(state__in=OPEN_STATES),
                                    name="pairing_second_helper_slot"),
            models.CheckConstraint(condition=Q(first_slot__gte=1) & Q(second_slot__gte=1), name="pairing_slot_positive"),
            models.CheckConstraint(condition=~Q(first_helper=F("second_helper")), name="pairing_two_helpers"),
        ]
        indexes = [models.Index(fields=["tenant", "state"])]

    def __str__(self) -> str:
        return f"{self.household.head_name} ← {self.first_helper.name}/{self.second_helper.name}"

    @transition(field=state, source=PairingState.PROPOSED, target=PairingState.ACTIVE, custom={"label": "确认到位"})
    def activate(self, *, met_on, late: bool):
        self.met_on = met_on
        self.late = late

    @transition(field=state, source=OPEN_STATES, target=PairingState.ENDED, custom={"label": "结束结对"})
    def end(self, *, on, end_reason: str, filed: bool = False):
        self.ended_on = on
        self.end_reason = end_reason
        self.replaced_by_filing = filed
