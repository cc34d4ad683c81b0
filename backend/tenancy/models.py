"""Tenants, their versioned policy and user memberships (SPEC §2, §9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .roles import Role
from .scoping import TenantQuerySet


class Tenant(models.Model):
    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    time_zone = models.CharField("时区", max_length=64, default="Asia/Shanghai")
    area_code = models.CharField("长途区号", max_length=6, default="0535")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "租户"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def policy(self) -> Policy:
        return Policy.current(self)


class TenantOwned(models.Model):
    """Every domain row belongs to exactly one tenant (SPEC §2)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", verbose_name="租户")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def default_frequency_rules() -> list[dict]:
    # S8: first helper in person every 2 months and by phone monthly; second helper in person monthly.
    return [
        {"role": "first", "channel": "in_person", "months": 2},
        {"role": "first", "channel": "phone", "months": 1},
        {"role": "second", "channel": "in_person", "months": 1},
    ]


def default_special_reasons() -> list[str]:
    return ["death", "serious_illness", "transfer", "dismissal"]


def default_scope_statuses() -> list[str]:
    # S1: 已脱贫（享受政策）and 返贫; 新识别 (未脱贫 identified this year) is added by scope_new_identified.
    return ["1", "3"]


def default_photo_types() -> list[str]:
    # Pillow format names of the visit photos and signature images accepted (S14, S15).
    return ["JPEG", "PNG", "WEBP"]


def default_reminder_days() -> dict:
    return {"visit": 7, "call": 3, "roster": 3, "report": 5, "delivery": 5, "interview": 2}


class Policy(models.Model):
    """Every number of SPEC §3 for one tenant. Rows are immutable: a change is a new version."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="policies")
    version = models.PositiveIntegerField("版本")
    effective_from = models.DateField("生效日期", default=dt.date(2018, 1, 1))
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # S1 scope
    scope_statuses = models.JSONField("帮扶对象状态代码", default=default_scope_statuses)
    scope_new_identified = models.BooleanField("新识别户纳入帮扶", default=True)
    # S2, S3 capacities
    first_helper_max_households = models.PositiveSmallIntegerField("第一帮扶责任人最多帮扶户数", default=1)
    second_helper_max_households = models.PositiveSmallIntegerField("第二帮扶责任人最多帮扶户数", default=5)
    # S7 term and replacement
    pairing_term_years = models.PositiveSmallIntegerField("帮扶期（年）", default=3)
    programme_end = models.DateField("脱贫攻坚结束日期", default=dt.date(2020, 12, 31))
    replacement_notice_days = models.PositiveSmallIntegerField("更换提前备案天数", default=60)
    replacement_special_reasons = models.JSONField("可紧急更换的特殊原因", default=default_special_reasons)
    # S8 frequencies and the engine
    frequency_rules = models.JSONField("走访频次规则", default=default_frequency_rules)
    grace_days = models.PositiveSmallIntegerField("补录宽限天数", default=5)
    engine_hour = models.PositiveSmallIntegerField("每日核查时间（时）", default=2)
    shift_due_dates_off_holidays = models.BooleanField("截止日遇节假日顺延", default=True)
    # S10 set-up campaign cutoffs
    roster_cutoff = models.DateField("名单报送截止日", default=dt.date(2018, 3, 21))
    in_place_cutoff = models.DateField("帮扶责任人到位截止日", default=dt.date(2018, 3, 25))
    # S11, S6 quarterly reporting
    quarterly_report_due_days = models.PositiveSmallIntegerField("季度报告截止（季末后天数）", default=10)
    # S17 ladder
    ladder_level1_misses = models.PositiveSmallIntegerField("一级问责未入户次数", default=1)
    ladder_level2_misses = models.PositiveSmallIntegerField("二级问责未入户次数", default=2)
    ladder_unit_misses = models.PositiveSmallIntegerField("单位问责未入户人次", default=3)
    ladder_counts_phone_misses = models.BooleanField("电话联系缺失计入问责", default=False)
    ladder_counts_second_helper_misses = models.BooleanField("第二帮扶责任人缺失计入问责", default=False)
    # S14, S15 visit evidence: photos are optional and never counted; signatures are small drawn images
    photo_max_count = models.PositiveSmallIntegerField("每次走访照片上限（张）", default=6)
    photo_max_bytes = models.PositiveIntegerField("单张照片大小上限（字节）", default=8 * 1024 * 1024)
    photo_types = models.JSONField("允许的图片格式", default=default_photo_types)
    signature_max_bytes = models.PositiveIntegerField("签名图片大小上限（字节）", default=512 * 1024)
    # S16 income statements: flag a change of per-capita net income beyond this share of last year's
    income_change_alert_ratio = models.DecimalField("人均纯收入同比变化提示比例", max_digits=4, decimal_places=2,
                                                    default=Decimal("0.50"))
    # §6 notifications
    reminder_days = models.JSONField("提前提醒天数", default=default_reminder_days)
    sms_quiet_start = models.TimeField("短信免打扰开始", default=dt.time(21, 0))
    sms_quiet_end = models.TimeField("短信免打扰结束", default=dt.time(8, 0))
    sms_per_recipient_per_hour = models.PositiveSmallIntegerField("每人每小时短信上限", default=5)

    class Meta:
        verbose_name = verbose_name_plural = "政策设置"
        ordering = ["tenant", "-version"]
        constraints = [models.UniqueConstraint(fields=["tenant", "version"], name="policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.tenant.code} 政策 v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError("政策版本不可修改，请新建版本。")
        if not self.version:
            last = Policy.objects.filter(tenant=self.tenant).aggregate(m=models.Max("version"))["m"]
            self.version = (last or 0) + 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls, tenant: Tenant, on: dt.date | None = None) -> Policy:
        qs = cls.objects.filter(tenant=tenant)
        if on is not None:
            dated = qs.filter(effective_from__lte=on).order_by("-version").first()
            if dated:
                return dated
        policy = qs.order_by("-version").first()
        if policy is None:
            policy = cls.objects.create(tenant=tenant, note="初始设置")
        return policy

    def capacity(self, role: str) -> int:
        return self.first_helper_max_households if role == "first" else self.second_helper_max_households

    def rules_for(self, role: str | None = None, channel: str | None = None) -> list[dict]:
        return [r for r in self.frequency_rules
                if (role is None or r["role"] == role) and (channel is None or r["channel"] == channel)]


class Membership(TenantOwned):
    """A login's place: one tenant, one organisation, one or more roles (SPEC §2)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="memberships",
                                     verbose_name="所属单位")
    person = models.ForeignKey("directory.Person", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="memberships", verbose_name="对应人员")
    roles = models.JSONField("角色", default=list)
    can_reveal_personal_data = models.BooleanField("可查看完整身份证号和电话", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户归属"

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    def clean(self):
        bad = [r for r in self.roles if r not in Role.values]
        if bad:
            raise ValidationError({"roles": f"未知角色：{', '.join(bad)}"})
        if self.organisation_id and self.organisation.tenant_id != self.tenant_id:
            raise ValidationError({"organisation": "单位不属于该租户。"})


class SignInEvent(TenantOwned):
    """Audit of sign-ins and failed attempts (SPEC §8)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    username = models.CharField(max_length=150)
    succeeded = models.BooleanField()
    channel = models.CharField(max_length=10)  # web / api
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {'成功' if self.succeeded else '失败'} {self.at:%Y-%m-%d %H:%M}"
