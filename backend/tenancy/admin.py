"""Django admin for operators, scoped like everything else (SPEC §9)."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from .models import Membership, Policy, SignInEvent, Tenant
from .roles import Role
from .scoping import Actor, TenantQuerySet


def operator_actor(request) -> Actor | None:
    """A tenant's operator: a staff login of one tenant, never a superuser of the whole service."""
    actor = Actor.for_user(request.user) if request.user.is_authenticated else None
    return actor if actor is not None and actor.has(Role.OPERATOR) else None


def may_use_admin(request) -> bool:
    return request.user.is_superuser or operator_actor(request) is not None


class TenantAdmin(admin.ModelAdmin):
    """Rows of one tenant. The platform's superusers see every tenant; a tenant's operator sees and edits its
    own tenant's rows only, and every related-row choice on a form is limited to that tenant."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        actor = operator_actor(request)
        if actor is None:
            return qs.none()
        return qs.visible_to(actor) if isinstance(qs, TenantQuerySet) else qs.filter(tenant=actor.tenant)

    def has_module_permission(self, request):
        return may_use_admin(request)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_add_permission(self, request):
        return may_use_admin(request)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request)

    def get_list_filter(self, request):
        # The tenant filter would list every county's name.
        filters = super().get_list_filter(request)
        return filters if request.user.is_superuser else [f for f in filters if f != "tenant"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_of_tenant(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **_of_tenant(db_field, request, kwargs))


def _of_tenant(db_field, request, kwargs: dict) -> dict:
    """The form field's choices limited to the operator's tenant (superusers choose among all)."""
    actor = None if request.user.is_superuser else operator_actor(request)
    if actor is None or "queryset" in kwargs:
        return kwargs
    model, tenant = db_field.related_model, actor.tenant
    qs = model._default_manager.all()
    if model is Tenant:
        qs = qs.filter(pk=tenant.pk)
    elif model is get_user_model():
        qs = qs.filter(membership__tenant=tenant)
    elif any(f.name == "tenant" for f in model._meta.fields):
        qs = qs.filter(tenant=tenant)
    # otherwise shared data (national code lists)
    return {**kwargs, "queryset": qs}


class SharedDataAdmin(admin.ModelAdmin):
    """Data shared by every tenant (national code lists, the national calendar): operators read it, the
    platform's superusers change it, since a change reaches every county."""

    def has_module_permission(self, request):
        return may_use_admin(request)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request)


class ReadOnlyTenantAdmin(TenantAdmin):
    """Records that change only through their services (which log and keep derived rows in step)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Child rows shown beside their parent; written by the parent's services only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantModelAdmin(TenantAdmin):
    """An operator may correct its own tenant's name and time zone; tenants come and go with the platform."""

    list_display = ["code", "name", "time_zone"]

    def get_queryset(self, request):
        qs = Tenant.objects.all()
        if request.user.is_superuser:
            return qs
        actor = operator_actor(request)
        return qs.filter(pk=actor.tenant.pk) if actor else qs.none()

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["code"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Policy)
class PolicyAdmin(TenantAdmin):
    list_display = ["tenant", "version", "effective_from", "note", "created_at"]
    list_filter = ["tenant"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # misses and transitions name the version that judged them


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
