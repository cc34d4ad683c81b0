from django.contrib import admin

from backend.tenancy.admin import ReadOnlyInline, TenantAdmin

from .models import Finding, Inspection


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["order", "household", "helper", "unit", "contacted", "helper_in_place", "visits_confirmed",
              "knows_helper_name", "satisfaction", "notes"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(TenantAdmin):
    """Read only: samples, findings and the misses they create come from the services."""

    list_display = ["title", "kind", "planned_on", "conducted_on", "method", "seed", "sample_size", "state"]
    list_filter = ["kind", "state", "method"]
    inlines = [FindingInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
