from django.contrib import admin

from backend.tenancy.admin import ReadOnlyInline, TenantAdmin

from .models import Attestation, QuarterlyReport, ReportLine, Submission


class LineInline(ReadOnlyInline):
    model = ReportLine
    fields = ["household", "village", "first_helper", "second_helper", "first_visits", "first_calls",
              "second_visits", "misses", "deliveries"]
    readonly_fields = fields


class AttestationInline(ReadOnlyInline):
    model = Attestation
    fields = ["second_helper", "note", "by", "at"]
    readonly_fields = fields


class SubmissionInline(ReadOnlyInline):
    model = Submission
    fields = ["revision", "submitted_at", "override_reason"]
    readonly_fields = fields


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(TenantAdmin):
    list_display = ["town", "year", "quarter", "due_on", "state", "revision", "late"]
    list_filter = ["state", "late", "year", "quarter"]
    raw_id_fields = ["town"]
    readonly_fields = ["state", "reopened_villages"]
    inlines = [AttestationInline, SubmissionInline, LineInline]
