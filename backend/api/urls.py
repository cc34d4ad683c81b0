"""API routes. Each area registers its viewsets in its own module (backend/api/<area>.py) via ROUTES,
so areas never edit each other's files."""

from importlib import import_module

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

AREAS = ("workflows", "fieldwork", "plans", "engine", "notifications", "documents")

router = DefaultRouter()
router.register("towns", views.TownViewSet, basename="town")
router.register("villages", views.VillageViewSet, basename="village")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("pairings", views.PairingViewSet, basename="pairing")

extra = []
for area in AREAS:
    module = import_module(f"backend.api.{area}")
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)
    extra += module.URLS

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    *extra,
    *router.urls,
]
