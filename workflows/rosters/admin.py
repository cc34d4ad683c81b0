from django.contrib import admin

from backend.tenancy.admin import ReadOnlyInline, TenantAdmin

from .models import Roster, RosterEntry


class EntryInline(ReadOnlyInline):
    model = RosterEntry
    fields = ["person", "position"]  # the phone is encrypted and masked elsewhere
    readonly_fields = fields


@admin.register(Roster)
class RosterAdmin(TenantAdmin):
    list_display = ["unit", "town", "year", "state", "submitted_at", "late"]
    list_filter = ["state", "late", "year"]
    raw_id_fields = ["unit", "town"]
    readonly_fields = ["state"]  # states move only through services, which log them
    inlines = [EntryInline]
