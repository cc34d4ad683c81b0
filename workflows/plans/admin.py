from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import HelpPlan, PlanItem


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    fields = ["order", "measure", "content", "responsible", "expected_benefit", "expected_amount", "starts_on",
              "ends_on"]


@admin.register(HelpPlan)
class HelpPlanAdmin(TenantAdmin):
    """Read only: plans change through their services (drafts, publication, revision are logged)."""

    list_display = ["household", "version", "state", "headline", "published_on"]
    list_filter = ["state"]
    raw_id_fields = ["pairing", "household", "revises"]
    inlines = [PlanItemInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
