"""A notification is a row: one recipient, one kind, Chinese text from a template, a de-duplication key.

Creating one never calls a channel; workers deliver it (SPEC §6). This app knows nothing of the domain:
callers resolve organisations to recipients and pass text context. Each channel a notification goes out on
is a `Delivery` row that workers claim, and each try at it is a `DeliveryAttempt` row (the delivery log).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.common.fields import EncryptedTextField
from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import NOTHING, Actor, TenantQuerySet


class Channel(models.TextChoices):
    INBOX = "inbox", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WECOM = "wecom", "企业微信群"


class NotificationQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return Q(user=actor.user) if actor.user is not None else NOTHING

    def visible_to(self, actor: Actor) -> NotificationQuerySet:
        """Messages are personal: every role, tenant-wide ones too, sees only its own delivered inbox."""
        return self.inbox_of(actor)

    def inbox_of(self, actor: Actor) -> NotificationQuerySet:
        if actor.user is None:
            return self.none()
        return self.filter(tenant=actor.tenant, user=actor.user, shown_at__isnull=False)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(TenantOwned):
    key = models.CharField("去重键", max_length=200)
    kind = models.CharField("类型", max_length=40)
    # The recipient: a login (inbox) and/or direct addresses (e-mail, SMS) for people without one.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notifications")
    person_id_ref = models.BigIntegerField("人员ID", null=True, blank=True)
    # The town whose office follows up a failed delivery (the city office sees every one).
    town_ref = models.BigIntegerField("负责镇街ID", null=True, blank=True)
    recipient_name = models.CharField("收件人", max_length=60)
    email = models.EmailField("电子邮箱", blank=True)
    mobile = EncryptedTextField("手机号码", blank=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    # The template context as display strings: SMS template parameters and the short texts come from it.
    params = models.JSONField("模板参数", default=dict)
    link = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shown_at = models.DateTimeField("进入收件箱时间", null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="notification_key_unique")]
        indexes = [models.Index(fields=["tenant", "user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "发送失败"


class DeliveryQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        # Failures are followed up by the town office of the recipient's town (SPEC §6).
        if actor.has(Role.TOWN_OFFICE) and actor.organisation is not None:
            return Q(notification__town_ref=actor.organisation.pk)
        return NOTHING

    def due(self, now) -> DeliveryQuerySet:
        """Waiting rows whose time has come, and rows whose worker died holding them (lease ran out)."""
        return self.filter(Q(state=DeliveryState.PENDING, due_at__lte=now)
                           | Q(state=DeliveryState.SENDING, lease_until__lt=now))

    def failed(self) -> DeliveryQuerySet:
        return self.filter(state=DeliveryState.FAILED)


class Delivery(TenantOwned):
    """One notification on one channel. Workers claim it with a conditional UPDATE (state + lease)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    state = models.CharField("状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    due_at = models.DateTimeField("计划发送时间")
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    # Sent to providers as their request id, so a repeated request after a lost answer is dropped.
    request_id = models.CharField("请求ID", max_length=64, unique=True)
    # Blind index of the mobile, for the per-recipient SMS limit; the number itself stays encrypted.
    address_index = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField("最近发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    provider_id = models.CharField("服务商回执ID", max_length=200, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "消息投递"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [
            # Only open rows: the sweep's cost follows the work due, not the history delivered.
            models.Index(fields=["due_at"], name="delivery_open_due",
                         condition=Q(state__in=["pending", "sending"])),
            models.Index(fields=["claim"], name="delivery_claim", condition=~Q(claim="")),
            models.Index(fields=["tenant", "state"]),
            models.Index(fields=["channel", "address_index", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.state}"


class Outcome(models.TextChoices):
    STARTED = "started", "发送中"
    DELIVERED = "delivered", "已送达"
    RETRY = "retry", "暂时失败，待重试"
    FAILED = "failed", "永久失败"
    INTERRUPTED = "interrupted", "发送中断（进程退出）"


class DeliveryAttempt(TenantOwned):
    """The delivery log: one row per try, written before the send and completed after it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    number = models.PositiveSmallIntegerField("第几次")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices, default=Outcome.STARTED)
    provider_id = models.CharField("服务商回执ID", max_length=200, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投递记录"
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")]


class PreferenceQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return Q(user=actor.user) if actor.user is not None else NOTHING


class Preference(TenantOwned):
    """A person's choice for one kind (or every kind, `kind=""`) on one channel."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField("类型", max_length=40, blank=True, help_text="留空表示全部类型")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    enabled = models.BooleanField("接收", default=True)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "消息接收设置"
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_unique")]


class ChannelSettings(TenantOwned):
    """Per-tenant channel settings. Its row is also the lock that makes the SMS rate limit exact."""

    wecom_webhook_url = EncryptedTextField("企业微信群机器人地址", blank=True,
                                           help_text="留空则使用环境变量 WECOM_WEBHOOK_URL")

    class Meta:
        verbose_name = verbose_name_plural = "消息渠道设置"
        constraints = [models.UniqueConstraint(fields=["tenant"], name="channel_settings_one_per_tenant")]

    def __str__(self) -> str:
        return f"{self.tenant_id} 消息渠道设置"

    @property
    def webhook(self) -> str:
        return self.wecom_webhook_url or settings.WECOM_WEBHOOK_URL
