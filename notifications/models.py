"""A notification is a row: one recipient, one kind, Chinese text from a template, a de-duplication key.

Creating one never calls a channel; workers deliver it (SPEC §6). This app knows nothing of the domain:
callers resolve organisations to recipients and pass text context.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backend.common.fields import EncryptedTextField
from backend.tenancy.models import TenantOwned
from backend.tenancy.scoping import Actor, TenantQuerySet


class NotificationQuerySet(TenantQuerySet):
    def scope_q(self, actor: Actor) -> Q:
        return Q(user=actor.user) if actor.user is not None else Q(pk__in=[])

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(TenantOwned):
    key = models.CharField("去重键", max_length=200)
    kind = models.CharField("类型", max_length=40)
    # The recipient: a login (inbox) and/or direct addresses (e-mail, SMS) for people without one.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notifications")
    person_id_ref = models.BigIntegerField("人员ID", null=True, blank=True)
    recipient_name = models.CharField("收件人", max_length=60)
    email = models.EmailField("电子邮箱", blank=True)
    mobile = EncryptedTextField("手机号码", blank=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="notification_key_unique")]
        indexes = [models.Index(fields=["tenant", "user", "read_at"])]

    def __str__(self) -> str:
        return self.subject
