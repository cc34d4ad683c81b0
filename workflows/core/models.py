"""The append-only log of every state transition (SPEC §4)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from backend.tenancy.models import TenantOwned
from backend.tenancy.scoping import TenantQuerySet


class AppendOnly(Exception):
    pass


class TransitionLogQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise AppendOnly("流程日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnly("流程日志只能追加，不能删除。")

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class TransitionLog(TenantOwned):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    transition = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=30)
    to_state = models.CharField("新状态", max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name="操作人")
    actor_label = models.CharField("操作人", max_length=60)
    reason = models.TextField("理由", blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)
    policy_version = models.PositiveIntegerField("政策版本", null=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "流程日志"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["tenant", "content_type", "object_id"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("流程日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("流程日志只能追加，不能删除。")
