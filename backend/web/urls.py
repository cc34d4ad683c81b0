"""Server-rendered pages (SPEC §9 web interface). The web issue fills this in."""

urlpatterns: list = []
