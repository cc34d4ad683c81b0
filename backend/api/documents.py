"""API of the documents area: `documents` (rendering jobs, downloads) and `imports` (upload, progress, errors)."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from backend.common.errors import Conflict, ValidationFailed
from backend.documents import imports, kinds, services
from backend.documents.imports.templates import template_workbook
from backend.documents.models import DocumentJob, ImportJob, JobState
from backend.documents.render import CONTENT_TYPES

from .base import TenantScopedMixin


class JobFields(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default="")
    percent = serializers.SerializerMethodField()

    def get_percent(self, obj) -> int:
        if obj.state == JobState.DONE:
            return 100
        return int(100 * obj.progress_done / obj.progress_total) if obj.progress_total else 0


class DocumentJobSerializer(JobFields):
    title = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = DocumentJob
        fields = ["id", "kind", "title", "format", "params", "reveal", "state", "state_label", "stage",
                  "progress_done", "progress_total", "percent", "pages", "size", "filename", "warnings", "error",
                  "requested_by", "created_at", "started_at", "finished_at", "download"]

    def get_title(self, obj) -> str:
        kind = kinds.KINDS.get(obj.kind)
        return kind.title if kind else obj.kind

    def get_download(self, obj) -> str | None:
        return f"/api/v1/documents/{obj.pk}/download/" if obj.state == JobState.DONE else None


class DocumentRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(label="文档类型", help_text=f"{', '.join(kinds.KINDS)}")
    format = serializers.ChoiceField(choices=["pdf", "xlsx", "csv"], default="pdf", label="格式")
    town = serializers.CharField(required=False, label="镇街（代码或ID）")
    village = serializers.CharField(required=False, label="村（代码或ID）")
    household = serializers.CharField(required=False, label="贫困户（户编号或ID）")
    quarter = serializers.CharField(required=False, label="季度，如2018Q2")
    year = serializers.IntegerField(required=False, label="年度")
    on = serializers.DateField(required=False, label="日期")
    subject = serializers.IntegerField(required=False, label="对象ID")
    reveal = serializers.BooleanField(default=False, label="含完整身份证号和电话（需权限，留痕）")


class DocumentViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Ask for a document (202, rendered by a worker), follow its progress, download it when done."""

    queryset = DocumentJob.objects.select_related("requested_by")
    serializer_class = DocumentJobSerializer
    filterset_fields = ["kind", "state", "format"]

    @extend_schema(request=DocumentRequestSerializer, responses={202: DocumentJobSerializer})
    def create(self, request, *args, **kwargs):
        data = DocumentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        kind, fmt, reveal = v.pop("kind"), v.pop("format"), v.pop("reveal")
        if "on" in v:
            v["on"] = v["on"].isoformat()
        job = services.request_document(actor=self.actor, kind=kind, fmt=fmt, raw=v, reveal=reveal)
        return Response(self.get_serializer(job).data, status=202)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.state != JobState.DONE or not job.file:
            raise Conflict(f"文档{job.get_state_display()}，尚不能下载。")
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                            content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"))

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="kinds")
    def kind_list(self, request):
        return Response([{"kind": k.code, "title": k.title, "needs": list(k.needs), "formats": list(k.formats),
                          "scope": k.scope, "personal": k.personal} for k in kinds.KINDS.values()])


class ImportJobSerializer(JobFields):
    class Meta:
        model = ImportJob
        fields = ["id", "kind", "filename", "state", "state_label", "stage", "progress_done", "progress_total",
                  "percent", "errors", "error", "created_count", "summary", "requested_by", "created_at",
                  "started_at", "finished_at"]


class ImportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(imports.IMPORTERS), label="导入类型")
    file = serializers.FileField(label="文件（.xlsx或.csv）")


class ImportViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Upload a file (202, imported by a worker: every row checked, all or nothing); errors list row,
    column and reason."""

    queryset = ImportJob.objects.select_related("requested_by")
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["kind", "state"]

    @extend_schema(request={"multipart/form-data": ImportRequestSerializer}, responses={202: ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise ValidationFailed.on("file", f"文件超过{imports.MAX_BYTES // 1024 // 1024}MB，请分批导入。")
        job = imports.request_import(actor=self.actor, kind=data.validated_data["kind"], filename=upload.name,
                                     content=upload.read())
        return Response(self.get_serializer(job).data, status=202)

    @extend_schema(parameters=[OpenApiParameter("kind", str, required=True)],
                   responses={(200, "application/octet-stream"): bytes})
    @action(detail=False, methods=["get"])
    def template(self, request):
        """An empty workbook with the columns the chosen import reads."""
        kind = request.query_params.get("kind", "")
        importer = imports.importer_for(kind)
        content = template_workbook(importer, self.actor)
        response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = f"attachment; filename=\"import-{importer.kind}.xlsx\""
        return response


ROUTES: list = [
    ("documents", DocumentViewSet, "document"),
    ("imports", ImportViewSet, "import"),
]
URLS: list = []
