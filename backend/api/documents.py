"""API of the documents area: ROUTES (prefix, viewset, basename) and URLS (extra paths) are read by urls.py."""

ROUTES: list = []
URLS: list = []
