from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import Organisation, Person, TownContact, UnitQuota, Village


@admin.register(Organisation)
class OrganisationAdmin(TenantAdmin):
    list_display = ["code", "name", "kind", "unit_kind", "tenant"]
    list_filter = ["kind", "unit_kind", "tenant"]
    search_fields = ["code", "name"]


@admin.register(Village)
class VillageAdmin(TenantAdmin):
    list_display = ["code", "name", "town"]
    search_fields = ["code", "name"]
    raw_id_fields = ["town"]


@admin.register(Person)
class PersonAdmin(TenantAdmin):
    list_display = ["name", "organisation", "position", "helper_category", "party_member", "reserve_cadre", "active"]
    list_filter = ["helper_category", "reserve_cadre", "active"]
    search_fields = ["name"]
    raw_id_fields = ["organisation", "village"]
    exclude = ["phone"]  # personal data is changed through the API, not shown here


@admin.register(UnitQuota)
class UnitQuotaAdmin(TenantAdmin):
    list_display = ["unit", "town", "count"]
    raw_id_fields = ["unit", "town"]


@admin.register(TownContact)
class TownContactAdmin(TenantAdmin):
    list_display = ["town", "name", "position", "office_phone", "mobile"]
    raw_id_fields = ["town"]
