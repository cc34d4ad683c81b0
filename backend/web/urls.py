"""Server-rendered pages (SPEC §9 web interface). The web issue fills this in."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("backend.web.public_urls")),
]
