"""Admin for operators: render and import jobs, to look into a failure. Files are fetched through the
download endpoint, which checks who may see the records (SPEC §8)."""

from django.contrib import admin

from backend.tenancy.admin import ReadOnlyTenantAdmin

from .models import DocumentJob, ImportJob

JOB_FIELDS = ["kind", "state", "stage", "progress_done", "progress_total", "requested_by", "created_at", "started_at",
              "finished_at", "error"]


@admin.register(DocumentJob)
class DocumentJobAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "kind", "format", "state", "progress_done", "progress_total", "requested_by",
                    "pages", "size"]
    list_filter = ["state", "kind", "format"]
    fields = [*JOB_FIELDS, "format", "params", "reveal", "filename", "size", "pages", "warnings"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "kind", "state", "progress_done", "progress_total", "requested_by",
                    "created_count"]
    list_filter = ["state", "kind"]
    fields = [*JOB_FIELDS, "filename", "created_count", "summary", "errors"]
