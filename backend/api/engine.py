"""API of the engine area: ROUTES (prefix, viewset, basename) and URLS (extra paths) are read by urls.py."""

ROUTES: list = []
URLS: list = []
