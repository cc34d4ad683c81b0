from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import Pairing


@admin.register(Pairing)
class PairingAdmin(TenantAdmin):
    list_display = ["household", "first_helper", "second_helper", "state", "proposed_on", "met_on", "late"]
    list_filter = ["state", "late"]
    raw_id_fields = ["household", "first_helper", "second_helper"]
    readonly_fields = ["state"]  # states move only through services, which log them
