"""API of the plans area: `help-plans` (A4), `income-statements` (A2, S16), `delivery-campaigns` and
`deliveries` (S5), `inspections` (S13, S17) and `stats` (S17 measures). Thin: parse, authorise, call a
service, present. ROUTES (prefix, viewset, basename) and URLS (extra paths) are read by urls.py."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from backend.common.errors import NotFound, ValidationFailed
from backend.fieldwork.images import Upload
from backend.fieldwork.selectors import feedback_by_pairing, feedback_in
from backend.households.models import Household
from backend.tenancy.scoping import get_visible
from workflows.deliveries import festivals
from workflows.deliveries import services as deliveries
from workflows.deliveries.models import Delivery, DeliveryCampaign
from workflows.deliveries.selectors import coverage
from workflows.income import lines as year_lines
from workflows.income import services as income
from workflows.income.models import IncomeAmount, IncomeStatement, PovertyLine
from workflows.inspections import services as inspections
from workflows.inspections.models import Finding, Inspection
from workflows.pairings.models import Pairing
from workflows.plans import services as plans
from workflows.plans.models import HelpPlan

from . import campaigns_io as cio
from . import plans_io as pio
from .base import ReasonSerializer, TenantScopedMixin, reason_of
from .stats import StatsViewSet


def _parse(serializer_class, data, **kwargs) -> dict:
    data = serializer_class(data=data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _visible_or_field(queryset, actor, pk, field: str, message: str):
    """A referenced row the actor may see, or a 400 naming the field (not a 404 of the resource itself)."""
    try:
        return get_visible(queryset, actor, pk)
    except NotFound:
        raise ValidationFailed.on(field, message) from None


class WriteViewSet(TenantScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                   viewsets.ReadOnlyModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def present(self, obj, status: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status)


# --- help plans -------------------------------------------------------------------------------------------

class HelpPlanViewSet(WriteViewSet):
    queryset = HelpPlan.objects.select_related("household", "revises").prefetch_related("items")
    serializer_class = pio.HelpPlanSerializer
    filterset_class = pio.HelpPlanFilter

    @extend_schema(request=pio.HelpPlanInput, responses={201: pio.HelpPlanSerializer})
    def create(self, request, *args, **kwargs):
        v = _parse(pio.HelpPlanInput, request.data)
        pairing = _visible_or_field(Pairing.objects.select_related("household__village"), self.actor,
                                    v.pop("pairing"), "pairing", "结对不存在或不在您的管辖范围内。")
        return self.present(plans.create(actor=self.actor, pairing=pairing, **v), status=201)

    @extend_schema(request=pio.HelpPlanEdit, responses=pio.HelpPlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        v = _parse(pio.HelpPlanEdit, request.data, partial=True)
        return self.present(plans.update(actor=self.actor, plan=self.get_object(), **v))

    @extend_schema(request=pio.PublishInput, responses=pio.HelpPlanSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        v = _parse(pio.PublishInput, request.data)
        return self.present(plans.publish(actor=self.actor, plan=self.get_object(), on=v.get("on"),
                                          reason=v["reason"]))

    @extend_schema(request=ReasonSerializer, responses={201: pio.HelpPlanSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new draft copied from this published version; publishing it marks this one revised."""
        return self.present(plans.revise(actor=self.actor, plan=self.get_object(), reason=reason_of(request)),
                            status=201)


# --- income statements ------------------------------------------------------------------------------------

class IncomeStatementViewSet(WriteViewSet):
    queryset = IncomeStatement.objects.select_related("household", "verified_by", "poverty_line")
    filterset_class = pio.StatementFilter

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.prefetch_related(Prefetch("amounts", IncomeAmount.objects.select_related("line")))
        return qs

    def get_serializer_class(self):
        return pio.StatementListSerializer if self.action == "list" else pio.StatementSerializer

    @extend_schema(request=pio.StatementInput, responses={201: pio.StatementSerializer})
    def create(self, request, *args, **kwargs):
        v = _parse(pio.StatementInput, request.data)
        household = _visible_or_field(Household.objects.select_related("village"), self.actor, v.pop("household"),
                                      "household", "贫困户不存在或不在您的管辖范围内。")
        return self.present(income.prepare(actor=self.actor, household=household, **v), status=201)

    @extend_schema(request=pio.StatementEdit, responses=pio.StatementSerializer)
    def partial_update(self, request, *args, **kwargs):
        v = _parse(pio.StatementEdit, request.data, partial=True)
        if "amounts" not in v:
            raise ValidationFailed.on("amounts", "请填写收入明细。")
        return self.present(income.correct(actor=self.actor, statement=self.get_object(), **v))

    @extend_schema(request=pio.StatementEdit, responses=pio.StatementSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Save the amounts and ask the household's second helper to verify them (they are notified)."""
        v = _parse(pio.StatementEdit, request.data, partial=True)
        if "amounts" not in v:
            raise ValidationFailed.on("amounts", "请填写收入明细。")
        v.pop("reason", None)  # submitting is its own reason in the log
        return self.present(income.submit(actor=self.actor, statement=self.get_object(), **v))

    @extend_schema(request=ReasonSerializer, responses=pio.StatementSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.present(income.verify(actor=self.actor, statement=self.get_object(), reason=reason_of(request)))

    @extend_schema(request=pio.DistributeInput, responses=pio.StatementSerializer)
    @action(detail=True, methods=["post"])
    def distribute(self, request, pk=None):
        v = _parse(pio.DistributeInput, request.data)
        return self.present(income.distribute(actor=self.actor, statement=self.get_object(), on=v.get("on"),
                                              reason=v["reason"]))

    @extend_schema(request=ReasonSerializer, responses=pio.StatementSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_correction(self, request, pk=None):
        return self.present(income.return_for_correction(actor=self.actor, statement=self.get_object(),
                                                         reason=reason_of(request)))

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)],
                   responses=pio.IncomeLineSerializer(many=True))
    @action(detail=False, methods=["get"])
    def lines(self, request):
        """The year's line items of the form (附件2) and whether each counts toward net income."""
        year = _parse(cio.YearQuery, request.query_params)["year"]
        return Response(pio.IncomeLineSerializer(year_lines.for_year(self.actor.tenant, year, define_missing=False),
                                                   many=True).data)

    @extend_schema(responses=pio.PovertyLineSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="poverty-lines")
    def poverty_lines(self, request):
        """The tenant's poverty lines by year and identification standard, with their sources."""
        rows = PovertyLine.objects.visible_to(self.actor)
        return Response(pio.PovertyLineSerializer(rows, many=True).data)


# --- holiday deliveries -----------------------------------------------------------------------------------

class CampaignViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = DeliveryCampaign.objects.annotate(
        n_deliveries=Count("deliveries"), n_delivered=Count("deliveries", filter=Q(deliveries__delivered_on__isnull=False)),
    ).order_by("-year", "festival_on", "id")
    serializer_class = cio.CampaignSerializer
    filterset_fields = ["year", "festival", "state"]

    def present(self, obj, status: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status)

    @extend_schema(request=cio.CampaignInput, responses={201: cio.CampaignSerializer})
    def create(self, request, *args, **kwargs):
        return self.present(deliveries.plan(actor=self.actor, **_parse(cio.CampaignInput, request.data)), status=201)

    @extend_schema(request=ReasonSerializer, responses=cio.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start delivering: one delivery record per in-scope household with an active pairing."""
        return self.present(deliveries.start(actor=self.actor, campaign=self.get_object(), reason=reason_of(request)))

    @extend_schema(request=None, responses=cio.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Add households paired since the campaign started."""
        campaign = self.get_object()
        deliveries.sync(actor=self.actor, campaign=campaign)
        return self.present(campaign)

    @extend_schema(request=ReasonSerializer, responses=cio.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.present(deliveries.close(actor=self.actor, campaign=self.get_object(), reason=reason_of(request)))

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        """Households to deliver to and delivered, per town and per village (within the actor's scope)."""
        campaign = self.get_object()
        return Response(coverage(campaign, Delivery.objects.visible_to(self.actor)))

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)], responses={200: dict})
    @action(detail=False, methods=["get"])
    def festivals(self, request):
        """The festivals of a campaign year with their computed dates, to plan from."""
        year = _parse(cio.YearQuery, request.query_params)["year"]
        return Response([{**row, "on": row["on"].isoformat()} for row in festivals.calendar(year)])


class DeliveryViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Delivery.objects.select_related("campaign", "household__village", "helper").defer("receipt_signature")
    serializer_class = cio.DeliverySerializer
    filterset_class = cio.DeliveryFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=cio.CompleteInput, responses=cio.DeliverySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The first helper hands the goods over; the household signs the receipt (or a witness does)."""
        v = _parse(cio.CompleteInput, request.data)
        raw = v.pop("receipt_signature", None)
        delivery = deliveries.complete(actor=self.actor, delivery=self.get_object(),
                                       signature=Upload(raw) if raw is not None else None, **v)
        return Response(self.get_serializer(self.get_queryset().get(pk=delivery.pk)).data)

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        delivery = self.get_object()
        row = Delivery.objects.filter(pk=delivery.pk).values("receipt_signature", "receipt_content_type").first()
        if not row or row["receipt_signature"] is None:
            raise NotFound("该户尚未签收。")
        response = HttpResponse(bytes(row["receipt_signature"]), content_type=row["receipt_content_type"])
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


# --- inspections ------------------------------------------------------------------------------------------

class InspectionViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Inspection.objects.annotate(
        n_recorded=Count("findings", filter=Q(findings__recorded_at__isnull=False))).order_by("-planned_on", "-id")
    serializer_class = cio.InspectionSerializer
    filterset_class = cio.InspectionFilter

    def get_queryset(self):
        return super().get_queryset().prefetch_related("towns", "units")

    def present(self, obj, status: int = 200) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status)

    @extend_schema(request=cio.InspectionInput, responses={201: cio.InspectionSerializer})
    def create(self, request, *args, **kwargs):
        return self.present(inspections.plan(actor=self.actor, **_parse(cio.InspectionInput, request.data)), status=201)

    def _findings(self, inspection):
        return (Finding.objects.visible_to(self.actor).filter(inspection=inspection)
                .select_related("household__village", "town", "helper", "unit"))

    @extend_schema(responses=cio.FindingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def findings(self, request, pk=None):
        """The sampled households with their findings and what each said on the card's QR page."""
        inspection = self.get_object()
        rows = cio.FindingFilter(request.query_params, queryset=self._findings(inspection)).qs
        return Response(cio.FindingSerializer(rows, many=True, context=self._feedback_context(rows)).data)

    def _feedback_context(self, rows) -> dict:
        pairing_ids = [r.pairing_id for r in rows if r.pairing_id]
        return {"feedback": feedback_by_pairing(feedback_in(self.actor.tenant).filter(pairing_id__in=pairing_ids))}

    @extend_schema(request=cio.FindingInput, responses=cio.FindingSerializer)
    @action(detail=True, methods=["put"], url_path=r"findings/(?P<finding_id>\d+)")
    def record(self, request, pk=None, finding_id=None):
        inspection = self.get_object()
        finding = self._findings(inspection).filter(pk=finding_id).first()
        if finding is None:
            raise NotFound()
        finding = inspections.record(actor=self.actor, finding=finding, **_parse(cio.FindingInput, request.data))
        row = self._findings(inspection).get(pk=finding.pk)
        return Response(cio.FindingSerializer(row, context=self._feedback_context([row])).data)

    @extend_schema(request=cio.ConductInput, responses=cio.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def conduct(self, request, pk=None):
        v = _parse(cio.ConductInput, request.data)
        return self.present(inspections.conduct(actor=self.actor, inspection=self.get_object(), on=v.get("on"),
                                                reason=v["reason"]))

    @extend_schema(request=cio.CloseInput, responses=cio.InspectionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        v = _parse(cio.CloseInput, request.data)
        return self.present(inspections.close(actor=self.actor, inspection=self.get_object(), **v))


ROUTES: list = [
    ("help-plans", HelpPlanViewSet, "help-plan"),
    ("income-statements", IncomeStatementViewSet, "income-statement"),
    ("delivery-campaigns", CampaignViewSet, "delivery-campaign"),
    ("deliveries", DeliveryViewSet, "delivery"),
    ("inspections", InspectionViewSet, "inspection"),
    ("stats", StatsViewSet, "stats"),
]
URLS: list = []
