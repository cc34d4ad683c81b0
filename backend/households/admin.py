from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import Code, Household, PersonalDataAccess


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ["list", "code", "label", "national_field", "year_from", "year_to"]
    list_filter = ["list"]


@admin.register(Household)
class HouseholdAdmin(TenantAdmin):
    list_display = ["code", "head_name", "village", "size", "status", "identified_year"]
    list_filter = ["status"]
    search_fields = ["code", "head_name"]
    raw_id_fields = ["village"]
    exclude = ["phone", "bank_account"]  # masked data; reveal through the logged API action


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(TenantAdmin):
    list_display = ["at", "user", "subject", "channel", "reason"]

    def has_change_permission(self, request, obj=None):
        return False
