"""Registered poor households and their members, in the national field codes (DOMAIN §1.2, §1.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.common.fields import BlindIndexField, EncryptedTextField
from backend.directory.models import Village, distinct_q, helped_by_q
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, TenantQuerySet


class Code(models.Model):
    """One entry of a national code list. Lists change every year or two, so they are data, not enums."""

    list = models.CharField("代码表", max_length=30)
    code = models.CharField("代码", max_length=10)
    label = models.CharField("名称", max_length=60)
    sort_order = models.PositiveSmallIntegerField(default=0)
    national_field = models.CharField("国家系统字段", max_length=20, blank=True)
    year_from = models.PositiveSmallIntegerField("起始年度", null=True, blank=True)
    year_to = models.PositiveSmallIntegerField("终止年度", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代码表"
        ordering = ["list", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["list", "code"], name="code_list_unique")]

    def __str__(self) -> str:
        return f"{self.list}:{self.code} {self.label}"


class HouseholdStatus:
    """aar010 values the rules refer to (labels live in the code table)."""

    NOT_EXITED = "0"
    EXITED_WITH_POLICY = "1"
    PRE_EXIT = "2"
    RETURNED = "3"
    EXITED_NO_POLICY = "4"


class HouseholdQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        q = distinct_q(Household, helped_by_q(actor))
        if actor.has(Role.TOWN_OFFICE):
            q |= Q(village__town=actor.organisation)
        return q

    def in_scope(self, policy, year: int):
        """S1: households that get helpers in `year`."""
        q = Q(status__in=policy.scope_statuses)
        if policy.scope_new_identified:
            q |= Q(status=HouseholdStatus.NOT_EXITED, identified_year=year)
        return self.filter(q, deregistered_on__isnull=True)


class Household(TenantOwned):
    code = models.CharField("户编号", max_length=30)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="households", verbose_name="村")
    address = models.CharField("详细地址（组、门牌）", max_length=100, blank=True)
    head_name = models.CharField("户主姓名", max_length=40)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)
    bank_account = EncryptedTextField("银行账号", blank=True)
    size = models.PositiveSmallIntegerField("家庭人口数")
    status = models.CharField("脱贫状态", max_length=2, help_text="aar010")
    attribute = models.CharField("贫困户属性", max_length=2, help_text="aac006")
    standard = models.CharField("识别标准", max_length=2, default="02")
    main_cause = models.CharField("主要致贫原因", max_length=4)
    other_causes = models.JSONField("其他致贫原因", default=list, blank=True)
    identified_year = models.PositiveSmallIntegerField("识别年度")
    exited_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    deregistered_on = models.DateField("注销日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "贫困户"
        ordering = ["village__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="household_code_unique"),
            models.CheckConstraint(condition=Q(size__gte=1), name="household_size_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "village"]), models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.code}）"

    def in_scope(self, policy, year: int) -> bool:
        if self.deregistered_on is not None:
            return False
        if self.status in policy.scope_statuses:
            return True
        return policy.scope_new_identified and self.status == HouseholdStatus.NOT_EXITED and self.identified_year == year

    @property
    def causes(self) -> list[str]:
        return [self.main_cause, *self.other_causes]


class MemberQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return Q(household__in=Household.objects.visible_to(actor))


class Member(TenantOwned):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name="户")
    name = models.CharField("姓名", max_length=40)
    relation = models.CharField("与户主关系", max_length=2)
    id_type = models.CharField("证件类型", max_length=2, default="01")
    id_number = EncryptedTextField("证件号码")
    id_index = BlindIndexField(source="id_number", kind="id")
    sex = models.CharField("性别", max_length=2)
    health = models.JSONField("健康状况", default=list)
    labour = models.CharField("劳动技能", max_length=2)
    education = models.CharField("文化程度", max_length=2, blank=True)
    school_status = models.CharField("在校生状况", max_length=2, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone")

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "家庭成员"
        ordering = ["household_id", "relation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "id_index"], name="member_id_unique"),
            models.UniqueConstraint(fields=["household"], condition=Q(relation="01"), name="one_head_per_household"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonalDataAccess(TenantOwned):
    """Every unmasked view or export of personal data (SPEC §8)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("对象", max_length=60)  # "households.Household:12"
    fields = models.JSONField("字段", default=list)
    channel = models.CharField("途径", max_length=20)  # api / web / export
    reason = models.CharField("理由", max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查看记录"
        ordering = ["-at"]
