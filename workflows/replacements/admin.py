from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import Replacement


@admin.register(Replacement)
class ReplacementAdmin(TenantAdmin):
    list_display = ["pairing", "old_helper", "new_helper", "reason_code", "filed_on", "effective_on", "state", "urgent"]
    list_filter = ["state", "urgent", "reason_code"]
    raw_id_fields = ["pairing", "old_helper", "new_helper", "new_pairing"]
    readonly_fields = ["state"]
