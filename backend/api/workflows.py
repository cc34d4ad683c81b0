"""API of the workflows area: rosters, replacements, quarterly reports, escalations (each transition a POST
action named after it), misses, and the transition log at `audit/`. Thin: parse, authorise, call a service,
present. ROUTES and URLS are read by urls.py."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from backend.common.errors import NotFound, ValidationFailed
from backend.directory.models import Organisation, OrgKind, Person, Village
from backend.tenancy.scoping import get_visible
from workflows.accountability import services as escalations
from workflows.accountability.models import Escalation, Miss
from workflows.core.models import TransitionLog
from workflows.pairings.models import Pairing
from workflows.replacements import services as replacements
from workflows.replacements.models import Replacement
from workflows.reporting import services as reports
from workflows.reporting.models import QuarterlyReport
from workflows.rosters import services as rosters
from workflows.rosters.models import Roster

from . import workflows_io as io
from .base import TenantScopedMixin


def transition_action(name: str, call, input_class=io.ReasonInput, url_path: str | None = None):
    """A POST action `/{id}/{url_path}/` that parses `input_class`, calls `call(view, obj, data)` and presents
    the object again. Refusals come from the service: 403 wrong role, 409 wrong state or stale."""

    def view(self, request, pk=None):
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        obj = call(self, self.get_object(), data.validated_data)
        return self.present(obj)

    view.__name__ = name
    view.__doc__ = f"Transition `{name}`."
    view = action(detail=True, methods=["post"], url_path=url_path or name.replace("_", "-"))(view)
    return extend_schema(request=input_class)(view)


class WorkflowViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action not in ("list", "create") and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def present(self, obj, status: int = 200) -> Response:
        fresh = self.get_queryset().model.objects.get(pk=obj.pk) if obj is not None else None
        serializer_class = self.detail_serializer_class or self.serializer_class
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data, status=status)

    def visible(self, queryset, pk, field: str, message: str = "记录不存在或不在您的管辖范围内。"):
        try:
            return get_visible(queryset, self.actor, pk)
        except NotFound:
            raise ValidationFailed.on(field, message) from None


def _tenant_org(view, pk, kind: str, field: str) -> Organisation:
    org = Organisation.objects.for_tenant(view.actor.tenant).filter(pk=pk, kind=kind).first()
    if org is None:
        raise ValidationFailed.on(field, "组织机构不存在。")
    return org


# -- rosters ---------------------------------------------------------------------------------------------

class RosterViewSet(WorkflowViewSet):
    queryset = Roster.objects.select_related("unit", "town").prefetch_related("unit__quotas", "entries__person")
    serializer_class = io.RosterSerializer
    filterset_class = io.RosterFilter

    @extend_schema(request=io.RosterInput, responses={201: io.RosterSerializer})
    def create(self, request, *args, **kwargs):
        data = io.RosterInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        unit_id = v.get("unit") or getattr(self.actor.organisation, "pk", None)
        unit = _tenant_org(self, unit_id, OrgKind.UNIT, "unit")
        town = _tenant_org(self, v["town"], OrgKind.TOWN, "town")
        return self.present(rosters.open_roster(actor=self.actor, unit=unit, town=town), status=201)

    @extend_schema(request=io.EntriesInput, responses=io.RosterSerializer)
    @action(detail=True, methods=["put"])
    def entries(self, request, pk=None):
        """Replace the draft's entries: each first helper's person, position and phone."""
        roster = self.get_object()
        data = io.EntriesInput(data=request.data)
        data.is_valid(raise_exception=True)
        people = Person.objects.for_tenant(self.actor.tenant).select_related("organisation").in_bulk(
            [e["person"] for e in data.validated_data["entries"]])
        entries = []
        for i, e in enumerate(data.validated_data["entries"]):
            if e["person"] not in people:
                raise ValidationFailed.on(f"entries[{i}]", f"第{i + 1}行：人员不存在。")
            entries.append(rosters.EntryInput(person=people[e["person"]], position=e["position"], phone=e["phone"]))
        return self.present(rosters.set_entries(actor=self.actor, roster=roster, entries=entries))

    submit = transition_action("submit", lambda v, o, d: rosters.submit(actor=v.actor, roster=o, reason=d["reason"]))
    accept = transition_action("accept", lambda v, o, d: rosters.accept(actor=v.actor, roster=o, reason=d["reason"]))
    return_to_unit = transition_action(
        "return_to_unit", lambda v, o, d: rosters.return_to_unit(actor=v.actor, roster=o, reason=d["reason"]),
        io.RequiredReasonInput, url_path="return")
    revise = transition_action("revise", lambda v, o, d: rosters.revise(actor=v.actor, roster=o, reason=d["reason"]))


# -- replacements ----------------------------------------------------------------------------------------

class ReplacementViewSet(WorkflowViewSet):
    queryset = Replacement.objects.select_related("old_helper", "new_helper", "pairing")
    serializer_class = io.ReplacementSerializer
    filterset_class = io.ReplacementFilter

    @extend_schema(request=io.ReplacementInput, responses={201: io.ReplacementSerializer})
    def create(self, request, *args, **kwargs):
        data = io.ReplacementInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pairing = self.visible(Pairing.objects.select_related("household__village", "first_helper", "second_helper"),
                               v["pairing"], "pairing")
        new_helper = Person.objects.for_tenant(self.actor.tenant).select_related("organisation").filter(
            pk=v["new_helper"]).first()
        if new_helper is None:
            raise ValidationFailed.on("new_helper", "人员不存在。")
        replacement = replacements.file(actor=self.actor, pairing=pairing, side=v["side"], new_helper=new_helper,
                                        reason_code=v["reason_code"], effective_on=v["effective_on"], reason=v["reason"])
        return self.present(replacement, status=201)

    accept = transition_action(
        "accept", lambda v, o, d: replacements.accept(actor=v.actor, replacement=o, reason=d["reason"]))
    reject = transition_action(
        "reject", lambda v, o, d: replacements.reject(actor=v.actor, replacement=o, reason=d["reason"]),
        io.RequiredReasonInput)
    take_effect = transition_action(
        "take_effect", lambda v, o, d: replacements.take_effect(actor=v.actor, replacement=o, reason=d["reason"]))


# -- quarterly reports -----------------------------------------------------------------------------------

def _villages(view, report, ids) -> list[Village]:
    found = list(Village.objects.for_tenant(view.actor.tenant).filter(pk__in=ids, town_id=report.town_id))
    if len(found) != len(set(ids)):
        raise ValidationFailed.on("villages", f"所选的村不全属于{report.town.name}。")
    return found


def _attest(view, report, data):
    reports.attest(actor=view.actor, report=report, note=data["note"])
    return report


class QuarterlyReportViewSet(WorkflowViewSet):
    queryset = QuarterlyReport.objects.select_related("town").prefetch_related("reopened_villages")
    serializer_class = io.QuarterlyReportSerializer
    detail_serializer_class = io.QuarterlyReportDetailSerializer
    filterset_class = io.ReportFilter

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.prefetch_related("lines__household", "lines__village", "lines__first_helper",
                                     "lines__second_helper", "attestations__second_helper")
        return qs

    @extend_schema(request=io.ReportInput, responses={201: io.QuarterlyReportDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = io.ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        town = _tenant_org(self, v["town"], OrgKind.TOWN, "town")
        report = reports.open_report(actor=self.actor, town=town, year=v["year"], quarter=v["quarter"])
        return self.present(report, status=201)

    compile = transition_action(
        "compile", lambda v, o, d: reports.compile_report(actor=v.actor, report=o, reason=d["reason"]))
    attest = transition_action("attest", lambda v, o, d: _attest(v, o, d), io.AttestInput)
    submit = transition_action(
        "submit", lambda v, o, d: reports.submit(actor=v.actor, report=o, override_reason=d["reason"]),
        io.SubmitReportInput)
    approve = transition_action(
        "approve", lambda v, o, d: reports.approve(actor=v.actor, report=o, reason=d["reason"]))
    return_to_town = transition_action(
        "return_to_town", lambda v, o, d: reports.return_to_town(actor=v.actor, report=o, reason=d["reason"]),
        io.RequiredReasonInput, url_path="return")
    reopen = transition_action(
        "reopen", lambda v, o, d: reports.reopen(actor=v.actor, report=o, villages=_villages(v, o, d["villages"]),
                                                 reason=d["reason"]), io.ReopenInput)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def changes(self, request, pk=None):
        """What changed since the last submission, per pairing (added, removed, changed figures)."""
        return Response({"changes": reports.changes(self.get_object())})


# -- escalations and misses ----------------------------------------------------------------------------

class EscalationViewSet(WorkflowViewSet):
    queryset = Escalation.objects.select_related("person", "organisation").prefetch_related("misses")
    serializer_class = io.EscalationSerializer
    filterset_class = io.EscalationFilter

    @extend_schema(request=io.EscalationInput, responses={201: io.EscalationSerializer})
    def create(self, request, *args, **kwargs):
        """The city office opens a step by hand (the engine opens them through the same service)."""
        data = io.EscalationInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = organisation = None
        if v.get("person"):
            person = Person.objects.for_tenant(self.actor.tenant).select_related("organisation").filter(
                pk=v["person"]).first()
            if person is None:
                raise ValidationFailed.on("person", "人员不存在。")
        if v.get("organisation"):
            organisation = _tenant_org(self, v["organisation"], OrgKind.UNIT, "organisation")
        misses = list(Miss.objects.for_tenant(self.actor.tenant).filter(pk__in=v["misses"]))
        if len(misses) != len(set(v["misses"])):
            raise ValidationFailed.on("misses", "未履职记录不存在。")
        escalation = escalations.open_escalation(tenant=self.actor.tenant, level=v["level"], year=v["year"],
                                                 person=person, organisation=organisation, misses=misses,
                                                 actor=self.actor, reason=v["reason"])
        return self.present(escalation, status=201)

    issue_notice = transition_action(
        "issue_notice", lambda v, o, d: escalations.issue_notice(actor=v.actor, escalation=o, reason=d["reason"]))
    schedule_interview = transition_action(
        "schedule_interview", lambda v, o, d: escalations.schedule_interview(
            actor=v.actor, escalation=o, when=d["when"], where=d["where"], who=d["who"], reason=d["reason"]),
        io.ScheduleInput)
    hold_interview = transition_action(
        "hold_interview", lambda v, o, d: escalations.hold_interview(
            actor=v.actor, escalation=o, notes=d["notes"], reason=d["reason"]), io.HoldInput)
    close = transition_action(
        "close", lambda v, o, d: escalations.close(actor=v.actor, escalation=o, reason=d["reason"]))
    withdraw = transition_action(
        "withdraw", lambda v, o, d: escalations.withdraw(actor=v.actor, escalation=o, evidence=d["reason"]),
        io.RequiredReasonInput)


class MissViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Miss.objects.select_related("person", "organisation", "household")
    serializer_class = io.MissSerializer
    filterset_class = io.MissFilter


# -- the transition log --------------------------------------------------------------------------------

AUDITED = {
    "pairings": Pairing,
    "rosters": Roster,
    "replacements": Replacement,
    "quarterly-reports": QuarterlyReport,
    "escalations": Escalation,
}


class AuditView(ListAPIView):
    """The log of one object, oldest first; only for objects the caller may see (else 404)."""

    serializer_class = io.TransitionLogSerializer
    filter_backends: list = []

    @extend_schema(parameters=[
        OpenApiParameter("object_type", str, required=True, enum=list(AUDITED), description="对象类型"),
        OpenApiParameter("object_id", int, required=True, description="对象ID"),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TransitionLog.objects.none()
        query = io.AuditQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        model = AUDITED.get(query.validated_data["object_type"])
        if model is None:
            raise ValidationFailed.on("object_type", f"对象类型只能是：{'、'.join(AUDITED)}。")
        obj = get_visible(model.objects.all(), self.request.actor, query.validated_data["object_id"])
        return TransitionLog.objects.for_tenant(self.request.actor.tenant).for_object(obj).select_related("actor")


ROUTES: list = [
    ("rosters", RosterViewSet, "roster"),
    ("replacements", ReplacementViewSet, "replacement"),
    ("quarterly-reports", QuarterlyReportViewSet, "quarterly-report"),
    ("escalations", EscalationViewSet, "escalation"),
    ("misses", MissViewSet, "miss"),
]
URLS: list = [path("audit/", AuditView.as_view(), name="audit")]
