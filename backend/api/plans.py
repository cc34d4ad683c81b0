"""API of the plans area (help plans, income statements, deliveries, inspections, stats):
ROUTES (prefix, viewset, basename) and URLS (extra paths) are read by urls.py."""

ROUTES: list = []
URLS: list = []
