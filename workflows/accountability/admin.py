from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import Escalation, Miss


@admin.register(Miss)
class MissAdmin(TenantAdmin):
    list_display = ["kind", "year", "person", "organisation", "household", "window_start", "window_end", "state"]
    list_filter = ["kind", "state", "source", "year"]
    raw_id_fields = ["pairing", "person", "organisation", "town", "household"]

    # Misses are judged facts: recorded by the engine and inspections, voided only by withdrawing an escalation.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(TenantAdmin):
    list_display = ["year", "level", "person", "organisation", "state", "loses_award_eligibility"]
    list_filter = ["level", "state", "year"]
    raw_id_fields = ["person", "organisation", "misses"]
    readonly_fields = ["state"]
