"""API of the engine area (SPEC §5): `exemptions` (request, then approve / reject / revoke by the town
office) and `engine-runs` (the record of each run; the city office can start one for a date).
Thin: parse, authorise, call a service, present. ROUTES and URLS are read by urls.py."""

from __future__ import annotations

import django_filters as df
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.common import clock
from backend.common.errors import Forbidden, NotFound, ValidationFailed
from backend.common.jobs import enqueue_on_commit
from backend.directory.models import Person
from backend.households.models import Household
from backend.tenancy.roles import Role
from backend.tenancy.scoping import get_visible
from workflows.engine import exemptions, runs
from workflows.engine.models import EngineRun, Exemption, RunTrigger

from .base import ReasonSerializer, TenantScopedMixin, reason_of
from .filters import org_q


class ExemptionSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)
    household_name = serializers.CharField(source="household.head_name", read_only=True, default=None)
    town_name = serializers.CharField(source="town.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    reason_label = serializers.CharField(source="get_reason_code_display", read_only=True)

    class Meta:
        model = Exemption
        fields = ["id", "person", "person_name", "household", "household_name", "town", "town_name", "start_on",
                  "end_on", "reason_code", "reason_label", "reason", "state", "state_label", "requested_at",
                  "decided_at"]


class ExemptionInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, label="帮扶责任人")
    household = serializers.IntegerField(required=False, allow_null=True, label="贫困户")
    start_on = serializers.DateField(label="起始日期")
    end_on = serializers.DateField(label="截止日期")
    reason_code = serializers.CharField(label="事由", help_text="leave / hospitalisation / household_away / other")
    reason = serializers.CharField(allow_blank=True, max_length=2000, label="情况说明")


class ExemptionFilter(df.FilterSet):
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")

    class Meta:
        model = Exemption
        fields = ["state", "person", "household", "reason_code"]

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q("town", value))


class ExemptionViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ExemptionSerializer
    filterset_class = ExemptionFilter
    queryset = Exemption.objects.select_related("person", "household", "town")

    def _subject(self, model, pk, field: str):
        if pk is None:
            return None
        try:
            return get_visible(model.objects.all(), self.actor, pk)
        except NotFound:
            raise ValidationFailed.on(field, "帮扶责任人或贫困户不存在或不在您的管辖范围内。") from None

    @extend_schema(request=ExemptionInputSerializer, responses={201: ExemptionSerializer})
    def create(self, request, *args, **kwargs):
        data = ExemptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        exemption = exemptions.request(
            actor=self.actor, person=self._subject(Person, v.get("person"), "person"),
            household=self._subject(Household, v.get("household"), "household"), start_on=v["start_on"],
            end_on=v["end_on"], reason_code=v["reason_code"], reason=v["reason"])
        return Response(ExemptionSerializer(exemption).data, status=201)

    def _decide(self, service):
        exemption = service(actor=self.actor, exemption=self.get_object(), reason=reason_of(self.request))
        return Response(ExemptionSerializer(exemption).data)

    @extend_schema(request=ReasonSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(exemptions.approve)

    @extend_schema(request=ReasonSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(exemptions.reject)

    @extend_schema(request=ReasonSerializer, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._decide(exemptions.revoke)


class EngineRunSerializer(serializers.ModelSerializer):
    trigger_label = serializers.CharField(source="get_trigger_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = EngineRun
        fields = ["id", "as_of", "trigger", "trigger_label", "state", "state_label", "policy_version", "created_at",
                  "started_at", "finished_at", "attempts", "counts", "timings", "error"]


class EngineRunInputSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, label="核查日期", help_text="默认为今天")


class EngineRunViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Runs are visible to tenant-wide roles; the city office (or operator) may start one."""

    serializer_class = EngineRunSerializer
    queryset = EngineRun.objects.all()
    filterset_fields = ["trigger", "state", "as_of"]

    @extend_schema(request=EngineRunInputSerializer, responses={201: EngineRunSerializer})
    def create(self, request, *args, **kwargs):
        if not self.actor.has(Role.OPERATOR, Role.CITY_OFFICE):
            raise Forbidden("只有市扶贫办可以启动时限核查。")
        data = EngineRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        as_of = data.validated_data.get("as_of") or clock.local_today(self.actor.tenant.time_zone)
        with transaction.atomic():
            run = runs.start(tenant=self.actor.tenant, as_of=as_of, trigger=RunTrigger.API)
            enqueue_on_commit(runs.RUN, run_id=run.pk)
        return Response(EngineRunSerializer(run).data, status=201)


ROUTES: list = [
    ("exemptions", ExemptionViewSet, "exemption"),
    ("engine-runs", EngineRunViewSet, "engine-run"),
]
URLS: list = []
