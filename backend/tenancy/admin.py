"""Django admin for operators, scoped like everything else (SPEC §9)."""

from django.contrib import admin

from .models import Membership, Policy, SignInEvent, Tenant
from .scoping import Actor


class TenantAdmin(admin.ModelAdmin):
    """Superusers see every tenant; an operator's staff login sees its own tenant only."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        actor = Actor.for_user(request.user)
        return qs.visible_to(actor) if actor else qs.none()

    def has_module_permission(self, request):
        return request.user.is_superuser or Actor.for_user(request.user) is not None and super().has_module_permission(request)


@admin.register(Tenant)
class TenantModelAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone"]


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["tenant", "version", "effective_from", "note", "created_at"]
    list_filter = ["tenant"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "tenant", "organisation", "roles", "can_reveal_personal_data"]
    list_filter = ["tenant"]
    raw_id_fields = ["organisation", "person"]


@admin.register(SignInEvent)
class SignInEventAdmin(TenantAdmin):
    list_display = ["at", "username", "succeeded", "channel", "ip"]
    list_filter = ["succeeded", "channel"]

    def has_change_permission(self, request, obj=None):
        return False
