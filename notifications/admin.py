"""Admin for operators: channel settings per tenant (the WeCom robot), and deliveries with their log."""

from django.contrib import admin

from backend.common.masking import mask_phone
from backend.tenancy.admin import ReadOnlyInline, TenantAdmin
from backend.tenancy.scoping import Actor

from .models import ChannelSettings, Delivery, DeliveryAttempt, Notification, Preference


class TenantWideAdmin(TenantAdmin):
    """Operators look into delivery problems across their tenant (personal inboxes stay out of the API)."""

    def get_queryset(self, request):
        qs = self.model._default_manager.get_queryset()
        if request.user.is_superuser:
            return qs
        actor = Actor.for_user(request.user)
        return qs.for_tenant(actor.tenant) if actor else qs.none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ChannelSettings)
class ChannelSettingsAdmin(TenantAdmin):
    list_display = ["tenant"]


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ["number", "started_at", "finished_at", "outcome", "provider_id", "detail"]
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(TenantWideAdmin):
    list_display = ["created_at", "notification", "channel", "state", "attempts", "due_at", "detail"]
    list_filter = ["state", "channel"]
    inlines = [AttemptInline]
    exclude = ["claim", "address_index"]


@admin.register(Notification)
class NotificationAdmin(TenantWideAdmin):
    list_display = ["created_at", "kind", "recipient_name", "masked_mobile", "subject", "shown_at", "read_at"]
    list_filter = ["kind"]
    exclude = ["mobile"]

    @admin.display(description="手机号码")
    def masked_mobile(self, obj):
        return mask_phone(obj.mobile)


@admin.register(Preference)
class PreferenceAdmin(TenantAdmin):
    """Operators can switch a channel off for someone who asked by phone; users change theirs in the inbox."""

    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["kind", "channel", "enabled"]
