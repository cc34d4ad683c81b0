"""API of the notifications area (SPEC §6, §9 resource `notifications`): the inbox, unread count, mark read,
per-person channel preferences, and the permanent failures the town and city offices follow up."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from backend.common.masking import mask_phone
from backend.tenancy.scoping import Actor
from notifications import selectors, services
from notifications.kinds import LABELS
from notifications.models import Channel, Delivery, DeliveryAttempt, Notification


class IsTenantUser(BasePermission):
    """Any member, read-only roles included: reading one's own messages and choosing channels changes no record."""

    def has_permission(self, request, view) -> bool:
        actor = Actor.for_user(request.user)
        if actor is None:
            return False
        request.actor = actor
        return True


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "subject", "body", "link", "object_type", "object_id", "created_at",
                  "read", "read_at"]

    def get_kind_label(self, obj) -> str:
        return LABELS.get(obj.kind, obj.kind)

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class AttemptSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "finished_at", "outcome", "outcome_label", "provider_id", "detail"]


class FailureSerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    kind = serializers.CharField(source="notification.kind", read_only=True)
    subject = serializers.CharField(source="notification.subject", read_only=True)
    recipient_name = serializers.CharField(source="notification.recipient_name", read_only=True)
    email = serializers.CharField(source="notification.email", read_only=True)
    mobile = serializers.SerializerMethodField()
    log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "notification", "kind", "subject", "recipient_name", "email", "mobile", "channel",
                  "channel_label", "attempts", "detail", "created_at", "log"]

    def get_mobile(self, obj) -> str:
        return mask_phone(obj.notification.mobile)


class ChoiceSerializer(serializers.Serializer):
    kind = serializers.CharField(allow_blank=True, max_length=40, label="消息类型")
    channel = serializers.ChoiceField(choices=Channel.choices, label="渠道")
    enabled = serializers.BooleanField(label="接收")


class PreferencesSerializer(serializers.Serializer):
    choices = ChoiceSerializer(many=True, label="接收设置")


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One's own inbox, whatever the role: tenant-wide roles do not read other people's messages."""

    serializer_class = NotificationSerializer
    permission_classes = [IsTenantUser]
    queryset = Notification.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        params = self.request.query_params
        return selectors.inbox(self.request.actor, unread=params.get("unread") in ("1", "true"),
                               kind=params.get("kind", ""))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return Response(NotificationSerializer(services.read(actor=request.actor, pk=pk)).data)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.read_all(actor=request.actor)})

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(request.actor)})

    @extend_schema(request=PreferencesSerializer, responses={200: dict})
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request):
        if request.method == "PUT":
            data = PreferencesSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.set_preferences(actor=request.actor, choices=data.validated_data["choices"])
        return Response({"kinds": selectors.preferences(request.actor)})

    @extend_schema(responses=FailureSerializer(many=True))
    @action(detail=False, methods=["get"])
    def failures(self, request):
        page = self.paginate_queryset(selectors.failures(request.actor))
        return self.get_paginated_response(FailureSerializer(page, many=True).data)


ROUTES: list = [("notifications", NotificationViewSet, "notification")]
URLS: list = []
