"""Document and import jobs (SPEC §7): a row per request, rendered or imported by a worker.

Both move `queued → (rendering | importing) → done | failed` through `workflows.core.transitions.apply`,
so the claim is the FSM's guarded UPDATE (two workers never take the same job) and the log shows who asked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.tenancy.models import TenantOwned
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, TenantQuerySet


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RENDERING = "rendering", "生成中"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"
    CSV = "csv", "CSV"


def upload_path(job, filename: str) -> str:
    return f"documents/{job.tenant.code}/{job._meta.model_name}-{job.pk or 'new'}/{filename}"


class JobBase(ConcurrentTransitionMixin, TenantOwned):
    kind = models.CharField("类型", max_length=30)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name="申请人")
    progress_done = models.PositiveIntegerField("已处理行数", default=0)
    progress_total = models.PositiveIntegerField("总行数", default=0)
    stage = models.CharField("阶段", max_length=40, blank=True)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class DocumentJobQuerySet(TenantQuerySet):
    def visible_to(self, actor: Actor) -> DocumentJobQuerySet:
        # Tenant-wide roles too: another user's list export or revealed file is not theirs to fetch.
        return self.for_tenant(actor.tenant).filter(self.scope_q(actor))

    def scope_q(self, actor: Actor) -> Q:
        from .kinds import subject_q

        if actor.system:
            return Q()
        own = Q(requested_by=actor.user) if actor.user is not None else Q(pk__in=[])
        # A file with revealed personal data is its requester's alone (SPEC §8).
        return own | (Q(reveal=False) & subject_q(actor))


class DocumentJob(JobBase):
    """One rendering of one document kind (A1…A6, card, notice, quarterly, disclosure, lists, exports)."""

    state = FSMField("状态", default=JobState.QUEUED, choices=JobState.choices, protected=True)
    format = models.CharField("格式", max_length=10, choices=Format.choices, default=Format.PDF)
    params = models.JSONField("参数", default=dict, blank=True)
    reveal = models.BooleanField("含完整个人信息", default=False)
    # The records the document is about; who may download follows who may see these (kinds.subject_q).
    town = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name="镇街")
    village = models.ForeignKey("directory.Village", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="村")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name="贫困户")
    subject_id = models.BigIntegerField("对象ID", null=True, blank=True)
    file = models.FileField("文件", upload_to=upload_path, blank=True, max_length=300)
    filename = models.CharField("文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("文件大小（字节）", default=0)
    pages = models.PositiveIntegerField("页数", default=0)
    warnings = models.JSONField("排版警告", default=list, blank=True)

    objects = DocumentJobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "文档生成任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "state"]), models.Index(fields=["tenant", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.get_state_display()}"

    @transition(field=state, source=JobState.QUEUED, target=JobState.RENDERING, custom={"label": "开始生成"})
    def start(self, *, at):
        self.started_at = at

    @transition(field=state, source=JobState.RENDERING, target=JobState.DONE, custom={"label": "生成完成"})
    def finish(self, *, at):
        self.finished_at = at

    @transition(field=state, source=[JobState.QUEUED, JobState.RENDERING], target=JobState.FAILED,
                custom={"label": "生成失败"})
    def fail(self, *, at, error: str):
        self.finished_at = at
        self.error = error

    @transition(field=state, source=JobState.RENDERING, target=JobState.QUEUED, custom={"label": "重新排队"})
    def requeue(self):
        self.started_at = None


class ImportJobQuerySet(TenantQuerySet):
    def visible_to(self, actor: Actor) -> ImportJobQuerySet:
        return self.for_tenant(actor.tenant).filter(self.scope_q(actor))

    def scope_q(self, actor: Actor) -> Q:
        # An import's errors quote the uploaded rows: the uploader's, and the operators' who run the tenant.
        if actor.system or actor.has(Role.OPERATOR):
            return Q()
        return Q(requested_by=actor.user) if actor.user is not None else Q(pk__in=[])


class ImportJob(JobBase):
    """One uploaded file (units with quotas, cadres, households with members): all rows or none."""

    state = FSMField("状态", default=JobState.QUEUED, choices=JobState.choices, protected=True)
    file = models.FileField("上传文件", upload_to=upload_path, max_length=300)
    filename = models.CharField("原文件名", max_length=200)
    errors = models.JSONField("错误", default=list, blank=True, help_text='[{"row", "column", "message"}]')
    created_count = models.PositiveIntegerField("导入条数", default=0)
    summary = models.JSONField("导入结果", default=dict, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "state"])]

    def __str__(self) -> str:
        return f"导入{self.kind} #{self.pk} {self.get_state_display()}"

    @transition(field=state, source=JobState.QUEUED, target=JobState.IMPORTING, custom={"label": "开始导入"})
    def start(self, *, at):
        self.started_at = at

    @transition(field=state, source=JobState.IMPORTING, target=JobState.DONE, custom={"label": "导入完成"})
    def finish(self, *, at):
        self.finished_at = at

    @transition(field=state, source=[JobState.QUEUED, JobState.IMPORTING], target=JobState.FAILED,
                custom={"label": "导入失败"})
    def fail(self, *, at, error: str):
        self.finished_at = at
        self.error = error

    @transition(field=state, source=JobState.IMPORTING, target=JobState.QUEUED, custom={"label": "重新排队"})
    def requeue(self):
        self.started_at = None
