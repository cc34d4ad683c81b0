from django.contrib import admin

from backend.tenancy.admin import ReadOnlyInline, SharedDataAdmin, TenantAdmin

from .models import Code, Household, Member, PersonalDataAccess


class MemberInline(ReadOnlyInline):
    """ID numbers and phones stay out (masked data; reveal through the logged API action)."""

    model = Member
    fields = ["name", "relation", "sex", "labour", "education", "school_status", "health"]
    readonly_fields = fields


@admin.register(Code)
class CodeAdmin(SharedDataAdmin):
    list_display = ["list", "code", "label", "national_field", "year_from", "year_to"]
    list_filter = ["list"]


@admin.register(Household)
class HouseholdAdmin(TenantAdmin):
    list_display = ["code", "head_name", "village", "size", "status", "identified_year"]
    list_filter = ["status"]
    search_fields = ["code", "head_name"]
    raw_id_fields = ["village"]
    exclude = ["phone", "bank_account"]  # masked data; reveal through the logged API action
    inlines = [MemberInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(TenantAdmin):
    list_display = ["at", "user", "subject", "channel", "reason"]

    def has_change_permission(self, request, obj=None):
        return False
