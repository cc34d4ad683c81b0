from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("towns", views.TownViewSet, basename="town")
router.register("villages", views.VillageViewSet, basename="village")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("households", views.HouseholdViewSet, basename="household")
router.register("pairings", views.PairingViewSet, basename="pairing")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    *router.urls,
]
