from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import Delivery, DeliveryCampaign


@admin.register(DeliveryCampaign)
class DeliveryCampaignAdmin(TenantAdmin):
    list_display = ["year", "festival", "festival_on", "deliver_by", "goods", "budget", "state"]
    list_filter = ["year", "festival", "state"]
    readonly_fields = ["state", "festival_on"]  # computed date; states move only through services


@admin.register(Delivery)
class DeliveryAdmin(TenantAdmin):
    list_display = ["campaign", "household", "helper", "delivered_on", "late"]
    list_filter = ["campaign", "late"]
    raw_id_fields = ["campaign", "pairing", "household", "helper"]
    exclude = ["receipt_signature"]

    def has_change_permission(self, request, obj=None):
        return False
