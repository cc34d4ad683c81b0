"""Django admin for operators: read the records; changes go through the services (they keep ContactMonth)."""

from django.contrib import admin

from backend.tenancy.admin import ReadOnlyInline
from backend.tenancy.admin import ReadOnlyTenantAdmin as ReadOnlyAdmin

from .models import ContactMonth, HouseholdFeedback, Visit, VisitEdit, VisitImage


class VisitImageInline(ReadOnlyInline):
    model = VisitImage
    fields = ["kind", "content_type", "size", "width", "height", "keeps_location", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "channel", "role", "helper", "pairing", "late_entry", "confirmed_at", "voided"]
    list_filter = ["channel", "role", "voided", "late_entry"]
    date_hierarchy = "occurred_on"
    exclude = ["tenant"]
    inlines = [VisitImageInline]


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
