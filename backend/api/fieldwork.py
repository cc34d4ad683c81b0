"""API of the fieldwork area (S4, S14, S15): `visits` (in person), `calls` (phone), the responsibility card at
`pairings/{id}/card/`, and `household-feedback` from the card's QR page. Thin: parse, authorise, call a
service, present. ROUTES and URLS are read by urls.py."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.errors import Forbidden, NotFound, ValidationFailed
from backend.fieldwork import selectors, services
from backend.fieldwork.images import Upload
from backend.fieldwork.models import Channel, HouseholdFeedback, Visit
from backend.tenancy.roles import Role
from backend.tenancy.scoping import get_visible
from workflows.pairings.models import Pairing
from workflows.plans.selectors import published_plan

from . import fieldwork_io as io
from .base import TenantScopedMixin, reason_of


class RecordViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits and calls share one model and one set of rules; each resource shows one channel."""

    channel = Channel.IN_PERSON
    serializer_class = io.VisitSerializer
    filterset_class = io.VisitFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = Visit.objects.filter(channel=self.channel).select_related(
            "helper", "confirmed_by", "pairing__household", "entered_by", "voided_by")
        qs = qs.prefetch_related(io.image_meta_prefetch())
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs.visible_to(self.actor)

    def get_serializer_class(self):
        return {"create": io.VisitInputSerializer, "partial_update": io.VisitEditSerializer}.get(
            self.action, io.VisitSerializer)

    def _pairing(self, pk) -> Pairing:
        pairings = Pairing.objects.select_related("household__village")
        try:
            return get_visible(pairings, self.actor, pk)
        except NotFound:  # absent or out of scope: say so on the field
            raise ValidationFailed.on("pairing", "结对不存在或不在您的管辖范围内。") from None

    def _present(self, visit, status=200):
        return Response(io.VisitSerializer(self.get_queryset().get(pk=visit.pk)).data, status=status)

    @extend_schema(request=io.VisitInputSerializer, responses={201: io.VisitSerializer})
    def create(self, request, *args, **kwargs):
        data = io.VisitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        keep = v.pop("keep_location", False)
        pairing = self._pairing(v.pop("pairing"))
        visit = services.record(
            actor=self.actor, pairing=pairing, channel=self.channel,
            helper_signature=_upload(v.pop("helper_signature", None)),
            household_signature=_upload(v.pop("household_signature", None)),
            photos=[Upload(p, keep_location=keep) for p in v.pop("photos", [])], **v)
        return self._present(visit, status=201)

    @extend_schema(request=io.VisitEditSerializer, responses=io.VisitSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = io.VisitEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        reason = changes.pop("reason", "")
        visit = services.edit(actor=self.actor, visit=self.get_object(), changes=changes, reason=reason)
        return self._present(visit)

    @extend_schema(request=io.ReasonRequired, responses=io.VisitSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        data = io.ReasonRequired(data=request.data)
        data.is_valid(raise_exception=True)
        return self._present(services.void(actor=self.actor, visit=self.get_object(),
                                           reason=data.validated_data["reason"]))

    @extend_schema(request=io.ReasonOptional, responses=io.VisitSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._present(services.confirm(actor=self.actor, visit=self.get_object(),
                                              reason=reason_of(request)))

    @extend_schema(responses=io.VisitEditLogSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(io.VisitEditLogSerializer(self.get_object().edits.all(), many=True).data)

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"], url_path=r"images/(?P<image_id>\d+)")
    def image(self, request, pk=None, image_id=None):
        """A signature or photo of the record, served only to those who may see the record."""
        image = self.get_object().images.filter(pk=image_id).first()
        if image is None:
            raise NotFound()
        response = HttpResponse(bytes(image.data), content_type=image.content_type)
        response["Content-Disposition"] = f'inline; filename="visit-{pk}-{image.kind}-{image.pk}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class VisitViewSet(RecordViewSet):
    channel = Channel.IN_PERSON

    @extend_schema(request=io.PhotoUploadSerializer, responses=io.VisitSerializer)
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        """Optional photos (never required, never counted); location data is removed unless kept on purpose."""
        data = io.PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        visit = self.get_object()
        services.add_photos(actor=self.actor, visit=visit, reason=v.get("reason", ""),
                            photos=[Upload(p, keep_location=v.get("keep_location", False)) for p in v["photos"]])
        return self._present(visit, status=201)


class CallViewSet(RecordViewSet):
    channel = Channel.PHONE


def _upload(raw: bytes | None) -> Upload | None:
    return Upload(raw) if raw is not None else None


class CardView(APIView):
    """The responsibility card of a pairing: main (正卡) or counterpart (副卡) view of the same visit log."""

    @extend_schema(parameters=[OpenApiParameter("copy", enum=list(selectors.COPIES), required=False)],
                   responses={200: dict})
    def get(self, request, pk: int):
        pairing = get_visible(Pairing.objects.select_related(
            "tenant", "household__village__town", "first_helper__organisation", "second_helper__organisation"),
            request.actor, pk)
        copy = request.query_params.get("copy", "main")
        if copy not in selectors.COPIES:
            raise ValidationFailed.on("copy", "卡片只能是正卡（main）或副卡（counterpart）。")
        return Response(selectors.card_data(pairing, copy=copy, plan=published_plan(pairing)))


class HouseholdFeedbackViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    """What households said on the card's QR page; for the town and city offices, not for the helpers."""

    queryset = HouseholdFeedback.objects.select_related("pairing__household__village__town", "visit")
    serializer_class = io.HouseholdFeedbackSerializer
    filterset_class = io.FeedbackFilter

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False) and not (
                self.actor.tenant_wide or self.actor.has(Role.TOWN_OFFICE)):
            raise Forbidden("群众反馈仅供镇街扶贫办和市级部门查看。")
        return super().get_queryset()


ROUTES: list = [
    ("visits", VisitViewSet, "visit"),
    ("calls", CallViewSet, "call"),
    ("household-feedback", HouseholdFeedbackViewSet, "household-feedback"),
]
URLS: list = [
    path("pairings/<int:pk>/card/", CardView.as_view(), name="pairing-card"),
]
