"""Foundation endpoints (SPEC §9): auth, me, policy, towns, villages, units, people, households, pairings."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.common.errors import ValidationFailed
from backend.directory.models import Organisation, Person, Village
from backend.households import services as household_services
from backend.households.models import Household
from backend.tenancy.models import Membership, Policy, SignInEvent
from backend.tenancy.scoping import Actor, get_visible
from workflows.pairings import services as pairing_services
from workflows.pairings.models import Pairing

from . import filters
from . import serializers as s
from .base import TenantReadOnlyViewSet, TenantScopedMixin, present, reason_of
from .errors import error_body


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class TokenView(APIView):
    """POST username and password, get {"token": …}. Throttled; every attempt is logged (SPEC §8)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenRequest, responses={200: dict})
    def post(self, request):
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        user = authenticate(request, username=username, password=data.validated_data["password"])
        membership = Membership.objects.filter(user=user).select_related("tenant").first() if user else None
        if membership is not None:
            SignInEvent.objects.create(tenant=membership.tenant, user=user, username=username, succeeded=True,
                                       channel="api", ip=request.META.get("REMOTE_ADDR"))
            token, _ = Token.objects.get_or_create(user=user)
            return Response({"token": token.key})
        record_failed_sign_in(username, "api", request.META.get("REMOTE_ADDR"))
        return Response(error_body("authentication_failed", "用户名或密码错误。"), status=status.HTTP_400_BAD_REQUEST)


def record_failed_sign_in(username: str, channel: str, ip: str | None) -> None:
    membership = Membership.objects.filter(user__username=username).first()
    if membership is not None:  # unknown names have no tenant to log under
        SignInEvent.objects.create(tenant_id=membership.tenant_id, user_id=membership.user_id, username=username,
                                   succeeded=False, channel=channel, ip=ip)


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        actor: Actor = request.actor
        org = actor.organisation
        return Response({
            "username": request.user.username,
            "name": request.user.get_full_name() or request.user.username,
            "tenant": {"code": actor.tenant.code, "name": actor.tenant.name},
            "organisation": {"id": org.pk, "code": org.code, "name": org.name, "kind": org.kind},
            "roles": sorted(actor.roles),
            "person": getattr(actor.person, "pk", None),
            "can_reveal_personal_data": actor.can_reveal,
        })


class PolicyView(APIView):
    @extend_schema(responses=s.PolicySerializer)
    def get(self, request):
        return Response(s.PolicySerializer(Policy.current(request.actor.tenant)).data)


class TownViewSet(TenantReadOnlyViewSet):
    queryset = Organisation.objects.towns().prefetch_related("contacts")
    serializer_class = s.TownSerializer
    lookup_value_regex = r"\d+"


class VillageViewSet(TenantReadOnlyViewSet):
    queryset = Village.objects.select_related("town")
    serializer_class = s.VillageSerializer
    filterset_class = filters.VillageFilter


class UnitViewSet(TenantReadOnlyViewSet):
    queryset = Organisation.objects.units().prefetch_related("quotas__town")
    serializer_class = s.UnitSerializer


class PersonViewSet(TenantReadOnlyViewSet):
    queryset = Person.objects.select_related("organisation")
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter


class HouseholdViewSet(TenantScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       viewsets.ReadOnlyModelViewSet):
    queryset = Household.objects.select_related("village__town")
    filterset_class = filters.HouseholdFilter
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.prefetch_related("members") if self.action != "list" else qs

    def get_serializer_class(self):
        if self.action in ("create", "update"):
            return s.HouseholdInputSerializer
        return s.HouseholdListSerializer if self.action == "list" else s.HouseholdSerializer

    def _save(self, request, household=None):
        data = s.HouseholdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        members = values.pop("members")
        village = Village.objects.for_tenant(self.actor.tenant).select_related("town").filter(pk=values["village"]).first()
        if village is None:
            raise ValidationFailed.on("village", "村不存在。")
        values["village"] = village
        saved = household_services.save_household(actor=self.actor, data=values, members=members, household=household)
        return Response(s.HouseholdSerializer(saved).data, status=201 if household is None else 200)

    @extend_schema(request=s.HouseholdInputSerializer, responses={201: s.HouseholdSerializer})
    def create(self, request, *args, **kwargs):
        return self._save(request)

    @extend_schema(request=s.HouseholdInputSerializer, responses=s.HouseholdSerializer)
    def update(self, request, *args, **kwargs):
        return self._save(request, self.get_object())

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """Unmasked ID numbers and phones; needs the reveal permission and is logged (SPEC §8)."""
        household = self.get_object()
        return Response(household_services.reveal(actor=self.actor, household=household, reason=reason_of(request)))


class PairingViewSet(TenantScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Pairing.objects.select_related("household", "first_helper", "second_helper")
    serializer_class = s.PairingSerializer
    filterset_class = filters.PairingFilter

    @extend_schema(request=s.PairingInputSerializer, responses={201: s.PairingSerializer})
    def create(self, request, *args, **kwargs):
        data = s.PairingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        tenant_people = Person.objects.for_tenant(self.actor.tenant).select_related("organisation")
        household = get_visible(Household.objects.select_related("village"), self.actor, v["household"])
        first = _person(tenant_people, v["first_helper"], "first_helper")
        second = _person(tenant_people, v["second_helper"], "second_helper")
        pairing = pairing_services.assign(actor=self.actor, household=household, first_helper=first,
                                          second_helper=second, on=v.get("proposed_on"), reason=v.get("reason", ""))
        return present(self, pairing, status=201)

    @extend_schema(request=s.ActivateSerializer, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        data = s.ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pairing = pairing_services.activate(actor=self.actor, pairing=self.get_object(),
                                            met_on=data.validated_data["met_on"],
                                            reason=data.validated_data.get("reason", ""))
        return present(self, pairing)

    @extend_schema(request=s.EndSerializer, responses=s.PairingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        data = s.EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pairing = pairing_services.end(actor=self.actor, pairing=self.get_object(), on=v["on"],
                                       reason_code=v["end_reason"], reason=v.get("reason", ""))
        return present(self, pairing)


def _person(queryset, pk: int, field: str) -> Person:
    person = queryset.filter(pk=pk).first()
    if person is None:
        raise ValidationFailed.on(field, "人员不存在。")
    return person


