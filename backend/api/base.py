"""Base viewsets: every queryset passes through the one scoping rule (backend.tenancy.scoping)."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.response import Response

from backend.tenancy.scoping import Actor


class TenantScopedMixin:
    """Lists and lookups see only what `visible_to(actor)` returns, so other tenants' ids answer 404."""

    @property
    def actor(self) -> Actor:
        return self.request.actor

    def get_queryset(self):
        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs.visible_to(self.actor)


class TenantReadOnlyViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="理由")


def reason_of(request) -> str:
    serializer = ReasonSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.get("reason", "")


def present(view, obj, status: int = 200) -> Response:
    return Response(view.get_serializer(obj).data, status=status)
