from django.contrib import admin

from backend.tenancy.admin import SharedDataAdmin, TenantAdmin

from .models import Batch, CalendarDay, EngineRun, Exemption


@admin.register(CalendarDay)
class CalendarDayAdmin(SharedDataAdmin):
    list_display = ("date", "is_workday", "name", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(Exemption)
class ExemptionAdmin(TenantAdmin):
    list_display = ("__str__", "tenant", "town", "state", "start_on", "end_on", "reason_code")
    list_filter = ("tenant", "state", "reason_code")
    raw_id_fields = ("person", "household", "town")
    readonly_fields = ("state", "requested_at", "decided_at")


@admin.register(EngineRun)
class EngineRunAdmin(TenantAdmin):
    list_display = ("tenant", "as_of", "trigger", "state", "attempts", "started_at", "finished_at")
    list_filter = ("tenant", "trigger", "state")
    readonly_fields = [f.name for f in EngineRun._meta.fields]


@admin.register(Batch)
class BatchAdmin(TenantAdmin):
    list_display = ("key", "tenant", "step", "judged", "created", "run", "done_at")
    list_filter = ("tenant", "step")
    search_fields = ("key",)
    readonly_fields = [f.name for f in Batch._meta.fields]
