from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import QuarterlyReport


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(TenantAdmin):
    list_display = ["town", "year", "quarter", "due_on", "state", "revision", "late"]
    list_filter = ["state", "late", "year", "quarter"]
    raw_id_fields = ["town"]
    readonly_fields = ["state", "reopened_villages"]
