"""Public pages without login: the responsibility card's QR verification page."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("card/<str:token>/", public_views.card, name="public-card"),
]
