"""Visits and calls (S4, S14, S15), the per-month contact facts the deadline engine reads (§5), and the
feedback households give through the card's QR page.

Records point at pairings with a lazy string ("pairings.Pairing"): fieldwork sits below workflows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.common import clock
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class HelperRole(models.TextChoices):
    FIRST = "first", "第一帮扶责任人"
    SECOND = "second", "第二帮扶责任人"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "入户走访"
    PHONE = "phone", "电话联系"


class SignMethod(models.TextChoices):
    """How the household side of the double signature (双签字) was given (S15)."""

    SIGNATURE = "signature", "贫困户签字"
    THUMBPRINT = "thumbprint", "按手印"
    SEAL = "seal", "盖私章"
    WITNESS = "witness", "村公证人或见证人签字"


# The code list (households.Code) holding what a visit did: S4 duties and the 帮/扶/送 items.
VISIT_ITEM_LIST = "visit_item"


def _pairing_scope(actor: Actor, prefix: str) -> Q:
    """Records of the actor's own pairings, their unit's helpers' pairings, or their town's households."""
    q = NOTHING
    if actor.person is not None:
        q |= Q(**{f"{prefix}first_helper": actor.person}) | Q(**{f"{prefix}second_helper": actor.person})
    if actor.has(Role.UNIT_LIAISON) and actor.organisation is not None:
        q |= Q(**{f"{prefix}first_helper__organisation": actor.organisation})
    if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
        q |= Q(**{f"{prefix}household__village__town": actor.organisation})
    return q


class VisitQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _pairing_scope(actor, "pairing__")

    def valid(self):
        return self.filter(voided=False)


class Visit(TenantOwned):
    """One visit or call of one helper to one pairing's household. Voided, never deleted."""

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, related_name="visits",
                                verbose_name="结对")
    helper = models.ForeignKey("directory.Person", on_delete=models.PROTECT, related_name="visits",
                               verbose_name="帮扶责任人")
    role = models.CharField("责任人类别", max_length=10, choices=HelperRole.choices)
    channel = models.CharField("方式", max_length=10, choices=Channel.choices)
    occurred_on = models.DateField("日期")
    occurred_at = models.DateTimeField("时间", null=True, blank=True)
    items = models.JSONField("帮扶事项", default=list, blank=True, help_text="visit_item 代码表中的代码")
    people_met = models.CharField("接待人", max_length=100, blank=True)
    summary = models.TextField("帮扶实录", blank=True)
    problems_raised = models.TextField("反映的问题", blank=True)
    problems_solved = models.TextField("解决的问题", blank=True)
    follow_up = models.TextField("后续安排", blank=True)
    # The household side of the double signature; the images live in VisitImage.
    household_sign_method = models.CharField("贫困户确认方式", max_length=12, choices=SignMethod.choices, blank=True)
    household_signer_name = models.CharField("签字（按手印、盖章）人", max_length=40, blank=True)
    witness_name = models.CharField("公证人或见证人姓名", max_length=40, blank=True)
    witness_role = models.CharField("公证人或见证人身份", max_length=40, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="录入人")
    entered_at = models.DateTimeField("录入时间", default=clock.now)
    late_entry = models.BooleanField("逾期补录", default=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    confirmed_by = models.ForeignKey("directory.Person", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="第二帮扶责任人确认")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    voided = models.BooleanField("已作废", default=False)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="作废人")
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=500, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访及电话记录"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=HelperRole.values), name="visit_role_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="visit_channel_valid"),
            models.CheckConstraint(condition=~Q(channel=Channel.PHONE) | Q(household_sign_method=""),
                                   name="visit_calls_are_not_signed"),
            models.CheckConstraint(
                condition=~Q(household_sign_method=SignMethod.WITNESS) | (Q(witness_name__gt="") & Q(witness_role__gt="")),
                name="visit_witness_named"),
            models.CheckConstraint(condition=Q(voided=False, voided_at__isnull=True) | Q(voided=True, voided_at__isnull=False),
                                   name="visit_void_has_time"),
        ]
        indexes = [
            models.Index(fields=["tenant", "occurred_on"]),
            models.Index(fields=["pairing", "role", "channel", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_on} {self.helper_id}"

    @property
    def is_call(self) -> bool:
        return self.channel == Channel.PHONE


class ImageKind(models.TextChoices):
    HELPER_SIGNATURE = "helper_signature", "帮扶责任人签名"
    HOUSEHOLD_SIGNATURE = "household_signature", "贫困户签名、手印、印章或见证人签名"
    PHOTO = "photo", "照片"


class VisitImageQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _pairing_scope(actor, "visit__pairing__")


class VisitImage(TenantOwned):
    """A signature or an optional photo, stored in the database with its visit: transactional, and shared by
    every web process without a shared file system. Photos are evidence only, never counted (DOMAIN §4.3)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="images", verbose_name="走访记录")
    kind = models.CharField("类别", max_length=20, choices=ImageKind.choices)
    content_type = models.CharField("格式", max_length=40)
    data = models.BinaryField("内容")
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    sha256 = models.CharField(max_length=64)
    keeps_location = models.BooleanField("保留位置信息", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)

    objects = VisitImageQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访图片"
        ordering = ["visit_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "kind"], condition=~Q(kind="photo"),
                                    name="visit_image_one_signature_each"),
        ]


class EditAction(models.TextChoices):
    CREATE = "create", "录入"
    EDIT = "edit", "修改"
    VOID = "void", "作废"
    CONFIRM = "confirm", "第二帮扶责任人确认"
    PHOTO = "photo", "添加照片"


class AppendOnly(Exception):
    pass


class VisitEditQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _pairing_scope(actor, "visit__pairing__")

    def update(self, **kwargs):
        raise AppendOnly("走访修改记录只能追加。")

    def delete(self):
        raise AppendOnly("走访修改记录只能追加。")


class VisitEdit(TenantOwned):
    """Append-only log of every entry, edit, void and confirmation of a visit (late ones flagged)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="edits", verbose_name="走访记录")
    action = models.CharField("操作", max_length=10, choices=EditAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="操作人")
    actor_label = models.CharField("操作人", max_length=60)
    late = models.BooleanField("超过补录期限", default=False)
    reason = models.TextField("理由", blank=True)
    changes = models.JSONField("改动", default=dict, blank=True)
    at = models.DateTimeField("时间", default=clock.now)

    objects = VisitEditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "走访修改记录"
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("走访修改记录只能追加。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("走访修改记录只能追加。")


class ContactMonthQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return _pairing_scope(actor, "pairing__")


class ContactMonth(TenantOwned):
    """Per (pairing, role, channel, year, month): how many non-voided records and the last date.

    Kept exact by the visit services in the same transaction as the visit itself, so the deadline engine
    judges a window with an anti-join on this table and never scans visits (§5). A month with no record
    has no row (never a zero count).
    """

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, related_name="contact_months",
                                verbose_name="结对")
    role = models.CharField("责任人类别", max_length=10, choices=HelperRole.choices)
    channel = models.CharField("方式", max_length=10, choices=Channel.choices)
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    count = models.PositiveIntegerField("次数")
    last_on = models.DateField("最近日期")

    objects = ContactMonthQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "月度走访联系情况"
        ordering = ["pairing_id", "year", "month", "role", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "role", "channel", "year", "month"],
                                    name="contact_month_unique"),
            models.CheckConstraint(condition=Q(count__gte=1), name="contact_month_count_positive"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="contact_month_month_valid"),
        ]
        indexes = [models.Index(fields=["tenant", "year", "month"])]

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.role}/{self.channel} {self.year}-{self.month:02d}: {self.count}"


class FeedbackKind(models.TextChoices):
    VISIT_CONFIRMED = "visit_confirmed", "确认有此次走访"
    VISIT_DISPUTED = "visit_disputed", "没有此次走访"
    SATISFACTION = "satisfaction", "满意度评价"


VISIT_FEEDBACK = (FeedbackKind.VISIT_CONFIRMED, FeedbackKind.VISIT_DISPUTED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class HouseholdFeedbackQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        # Not the helpers: a household's dispute or complaint must not reach the helper it is about.
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            return Q(pairing__household__village__town=actor.organisation)
        return NOTHING

    def disputes(self):
        return self.filter(kind=FeedbackKind.VISIT_DISPUTED)

    def dissatisfied(self):
        return self.filter(kind=FeedbackKind.SATISFACTION, satisfaction=Satisfaction.DISSATISFIED)


class HouseholdFeedback(TenantOwned):
    """What a household says through the card's QR page, without a login (S13, S15, S17).

    One answer per visit (a later answer replaces it, `changed_at` moves); satisfaction reports accumulate.
    """

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, related_name="household_feedback",
                                verbose_name="结对")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="household_feedback", verbose_name="走访记录")
    kind = models.CharField("类别", max_length=20, choices=FeedbackKind.choices)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    note = models.CharField("意见", max_length=500, blank=True)
    source = models.CharField("来源标识", max_length=64, blank=True, help_text="访问地址的密钥散列，不存原始地址")
    submitted_at = models.DateTimeField("提交时间", default=clock.now)
    changed_at = models.DateTimeField("更新时间", default=clock.now)

    objects = HouseholdFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "群众反馈"
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["visit"], condition=Q(kind__in=VISIT_FEEDBACK),
                                    name="feedback_one_answer_per_visit"),
            models.CheckConstraint(
                condition=(Q(kind="satisfaction") & Q(visit__isnull=True) & Q(satisfaction__in=Satisfaction.values))
                | (Q(kind__in=VISIT_FEEDBACK) & Q(visit__isnull=False) & Q(satisfaction="")),
                name="feedback_kind_shape"),
        ]
        indexes = [models.Index(fields=["tenant", "kind", "submitted_at"]), models.Index(fields=["pairing", "kind"])]
