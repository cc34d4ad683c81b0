from django.contrib import admin

from backend.tenancy.admin import TenantAdmin

from .models import TransitionLog


@admin.register(TransitionLog)
class TransitionLogAdmin(TenantAdmin):
    list_display = ["at", "content_type", "object_id", "transition", "from_state", "to_state", "actor_label"]
    list_filter = ["content_type", "transition"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
