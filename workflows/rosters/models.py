"""Roster (名单报送): a unit's first helpers for one town in one set-up campaign (S10, A1, A6).

draft → submitted → accepted | returned → draft. Accepted rosters make their people available as first
helpers in that town (`workflows.pairings.services.assign`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common.fields import BlindIndexField, EncryptedTextField
from backend.directory.models import Organisation, Person
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class RosterState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


def _roster_scope(actor: Actor, prefix: str = "") -> Q:
    """A unit sees its own rosters, a town office the rosters sent to it."""
    q = NOTHING
    if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
        q |= Q(**{f"{prefix}unit": actor.organisation})
    if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
        q |= Q(**{f"{prefix}town": actor.organisation})
    return q


class RosterQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _roster_scope(actor)


class Roster(ConcurrentTransitionMixin, TenantOwned):
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="rosters",
                             limit_choices_to={"kind": "unit"}, verbose_name="部门单位")
    town = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incoming_rosters",
                             limit_choices_to={"kind": "town"}, verbose_name="镇街")
    year = models.PositiveSmallIntegerField("年度", help_text="报送截止日所在年度")
    cutoff = models.DateField("报送截止日")
    state = FSMField("状态", default=RosterState.DRAFT, choices=RosterState.choices, protected=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "第一帮扶责任人名单"
        ordering = ["-year", "unit__code", "town__code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "unit", "town", "year"], name="roster_unit_town_year")]
        indexes = [models.Index(fields=["tenant", "town", "state"])]

    def __str__(self) -> str:
        return f"{self.unit.name}→{self.town.name}（{self.year}）"

    @transition(field=state, source=RosterState.DRAFT, target=RosterState.SUBMITTED, custom={"label": "报送"})
    def submit(self, *, at, late: bool):
        self.submitted_at, self.late = at, late

    @transition(field=state, source=RosterState.SUBMITTED, target=RosterState.ACCEPTED, custom={"label": "接收"})
    def accept(self, *, at):
        self.decided_at = at

    @transition(field=state, source=RosterState.SUBMITTED, target=RosterState.RETURNED, custom={"label": "退回", "api": "return"})
    def return_to_unit(self, *, at, why: str):
        self.decided_at, self.return_reason = at, why

    @transition(field=state, source=RosterState.RETURNED, target=RosterState.DRAFT, custom={"label": "重新编辑"})
    def revise(self):
        """Back to draft; the entries stay, for the unit to correct and submit again."""


class RosterEntryQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _roster_scope(actor, "roster__")


class RosterEntry(TenantOwned):
    """One first helper on a roster; the phone is the one the unit reports (encrypted like every phone)."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries", verbose_name="名单")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roster_entries",
                               verbose_name="第一帮扶责任人")
    position = models.CharField("职务", max_length=60, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)

    objects = RosterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "名单人员"
        ordering = ["roster_id", "id"]
        constraints = [models.UniqueConstraint(fields=["roster", "person"], name="roster_entry_person_once")]

    def __str__(self) -> str:
        return self.person.name
