"""Organisations, villages, cadres, unit quotas (A6) and town contacts (A5)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from backend.common.fields import BlindIndexField, EncryptedTextField
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class OrgKind(models.TextChoices):
    LEADING_GROUP = "leading_group", "市扶贫开发领导小组"
    CITY_OFFICE = "city_office", "市扶贫办"
    TOWN = "town", "镇街"
    UNIT = "unit", "部门单位"
    DEPARTMENT = "department", "考核部门"  # 组织部, 人社局: assessment readers


class UnitKind(models.TextChoices):
    CITY_AGENCY = "city_agency", "市直机关事业单位"
    STATIONED = "stationed", "驻莱单位"
    SOE = "soe", "国有企业"


class HelperCategory(models.TextChoices):
    CITY_AGENCY = "city_agency", "市直机关事业单位干部"
    STATIONED = "stationed", "驻莱单位干部"
    SOE = "soe", "国有企业干部"
    TOWN_CADRE = "town_cadre", "镇街干部"
    VILLAGE_CADRE = "village_cadre", "村干部"
    DEPUTY = "deputy", "两代表一委员"


FIRST_HELPER_CATEGORIES = frozenset({HelperCategory.CITY_AGENCY, HelperCategory.STATIONED, HelperCategory.SOE})
SECOND_HELPER_CATEGORIES = frozenset({HelperCategory.TOWN_CADRE, HelperCategory.VILLAGE_CADRE, HelperCategory.DEPUTY})


class OrganisationQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        # Everyone may see the directory of towns and the offices; a unit sees itself.
        q = Q(kind__in=[OrgKind.TOWN, OrgKind.CITY_OFFICE, OrgKind.LEADING_GROUP])
        if actor.organisation is not None:
            q |= Q(pk=actor.organisation.pk)
        if actor.has(Role.TOWN_OFFICE):
            q |= distinct_q(Organisation, Q(kind=OrgKind.UNIT, quotas__town=actor.organisation))
        return q

    def towns(self):
        return self.filter(kind=OrgKind.TOWN)

    def units(self):
        return self.filter(kind=OrgKind.UNIT)


class Organisation(TenantOwned):
    code = models.CharField("代码", max_length=32,
                            help_text="city-office、leading-group、镇街9位区划代码或单位简码")
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    unit_kind = models.CharField("单位性质", max_length=20, choices=UnitKind.choices, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "组织机构"
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="org_code_unique"),
            models.CheckConstraint(condition=Q(kind="unit", unit_kind__gt="") | (~Q(kind="unit") & Q(unit_kind="")),
                                   name="org_unit_kind_only_for_units"),
        ]
        indexes = [models.Index(fields=["tenant", "kind"])]

    def __str__(self) -> str:
        return self.name


class VillageQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = distinct_q(Village, helped_by_q(actor, "households__"))
        if actor.has(Role.TOWN_OFFICE):
            q |= Q(town=actor.organisation)
        return q


class Village(TenantOwned):
    town = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="villages",
                             limit_choices_to={"kind": OrgKind.TOWN}, verbose_name="镇街")
    code = models.CharField("村区划代码", max_length=12)
    name = models.CharField("村名", max_length=60)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "村"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="village_code_unique")]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = NOTHING
        reach = NOTHING
        if actor.person is not None:
            q |= Q(pk=actor.person.pk)
            # A helper sees the other helper of each of their pairings.
            p = actor.person
            reach |= Q(first_pairings__second_helper=p) | Q(second_pairings__first_helper=p)
        if actor.has(Role.UNIT_LIAISON):
            q |= Q(organisation=actor.organisation)
        if actor.has(Role.TOWN_OFFICE):
            town = actor.organisation
            q |= Q(organisation=town) | Q(village__town=town)
            # First helpers working in the town and the people of units sending helpers to it (A6).
            reach |= Q(first_pairings__household__village__town=town) | Q(organisation__quotas__town=town)
        return q | distinct_q(Person, reach)

    def first_helper_candidates(self):
        return self.filter(party_member=True, helper_category__in=FIRST_HELPER_CATEGORIES,
                           organisation__kind=OrgKind.UNIT, active=True)

    def second_helper_candidates(self):
        return self.filter(helper_category__in=SECOND_HELPER_CATEGORIES, active=True)


class Person(TenantOwned):
    """A cadre who may help households; may or may not have a login."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people",
                                     verbose_name="工作单位")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, related_name="cadres",
                                verbose_name="所在村（村干部）")
    name = models.CharField("姓名", max_length=40)
    position = models.CharField("职务", max_length=60, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)
    party_member = models.BooleanField("中共党员", default=False)
    reserve_cadre = models.BooleanField("后备干部", default=False)
    helper_category = models.CharField("帮扶人员类别", max_length=20, choices=HelperCategory.choices)
    active = models.BooleanField("在岗", default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "干部"
        ordering = ["organisation_id", "name", "id"]
        indexes = [models.Index(fields=["tenant", "organisation"]), models.Index(fields=["tenant", "helper_category"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation}）"

    @property
    def unit_position(self) -> str:
        """工作单位及职务, as A1/A3/A4 print it."""
        return f"{self.organisation.name}{self.position}"

    @property
    def can_be_first_helper(self) -> bool:
        return (self.active and self.party_member and self.helper_category in FIRST_HELPER_CATEGORIES
                and self.organisation.kind == OrgKind.UNIT)

    @property
    def can_be_second_helper(self) -> bool:
        return self.active and self.helper_category in SECOND_HELPER_CATEGORIES and (
            self.organisation.kind == OrgKind.TOWN or self.helper_category == HelperCategory.DEPUTY)


class UnitQuota(TenantOwned):
    """A6: how many first helpers a unit sends to a town."""

    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quotas",
                             limit_choices_to={"kind": OrgKind.UNIT}, verbose_name="部门单位")
    town = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incoming_quotas",
                             limit_choices_to={"kind": OrgKind.TOWN}, verbose_name="镇街")
    count = models.PositiveSmallIntegerField("第一帮扶责任人人数")

    class Meta:
        verbose_name = verbose_name_plural = "第一帮扶责任人分配"
        ordering = ["unit__code", "town__code"]
        constraints = [models.UniqueConstraint(fields=["unit", "town"], name="quota_unit_town_unique")]


class TownContact(TenantOwned):
    """A5: the published contacts of each town for the units (public data from the notice)."""

    town = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts",
                             limit_choices_to={"kind": OrgKind.TOWN}, verbose_name="镇街")
    name = models.CharField("姓名", max_length=40)
    position = models.CharField("职务", max_length=60)
    office_phone = models.CharField("办公电话", max_length=20, blank=True)
    mobile = models.CharField("手机号码", max_length=20)
    email = models.EmailField("电子邮箱", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "镇街联系人"
        ordering = ["town__code", "order", "id"]


def helped_by_q(actor: Actor, prefix: str = "") -> Q:
    """Rows reached through pairings the actor helps in, or whose helpers are the actor's unit's people.

    `prefix` is the path from the queried model to a Household ("" when querying households).
    """
    q = NOTHING
    if actor.person is not None:
        q |= Q(**{f"{prefix}pairings__first_helper": actor.person}) | Q(**{f"{prefix}pairings__second_helper": actor.person})
    if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
        q |= Q(**{f"{prefix}pairings__first_helper__organisation": actor.organisation})
    return q


def distinct_q(model, q: Q) -> Q:
    """Wrap a Q that crosses to-many relations so the outer query has no duplicates."""
    return Q(pk__in=model.objects.filter(q).values("pk"))
