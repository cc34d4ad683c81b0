"""htmx requests get the page's body fragment; plain requests get the whole page."""


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
