"""Django admin for operators: read the records; changes go through the services (they keep ContactMonth)."""

from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import ContactMonth, HouseholdFeedback, Visit, VisitEdit


class ReadOnlyAdmin(TenantAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "channel", "role", "helper", "pairing", "late_entry", "confirmed_at", "voided"]
    list_filter = ["channel", "role", "voided", "late_entry"]
    date_hierarchy = "occurred_on"
    exclude = ["tenant"]


@admin.register(VisitEdit)
class VisitEditAdmin(ReadOnlyAdmin):
    list_display = ["at", "visit", "action", "actor_label", "late"]
    list_filter = ["action", "late"]


@admin.register(ContactMonth)
class ContactMonthAdmin(ReadOnlyAdmin):
    list_display = ["pairing", "role", "channel", "year", "month", "count", "last_on"]
    list_filter = ["role", "channel", "year"]


@admin.register(HouseholdFeedback)
class HouseholdFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "pairing", "kind", "satisfaction", "visit"]
    list_filter = ["kind", "satisfaction"]
