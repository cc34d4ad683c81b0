"""The responsibility card's QR page (S15, S13): no login, nothing personal, rate-limited.

A household scans the card and confirms or disputes recent visits, or says how satisfied it is. The page
shows the village, the helpers' masked names and units, and the dates and kinds of the records: no member
names, ID numbers, phones, or the free text of the records.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from backend.common.crypto import blind_index
from backend.common.errors import ValidationFailed
from backend.fieldwork import feedback, selectors
from backend.fieldwork.cards import read_card_token
from workflows.pairings.models import Pairing

TEMPLATES = "web/public/"
ACTIONS = {"confirm", "dispute", "rate"}


def client_ip(request: HttpRequest) -> str:
    """The address the rate limits count by; behind nginx, the header it sets (RATELIMIT_IP_META_KEY)."""
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    return (request.META.get(key) or request.META.get("REMOTE_ADDR") or "").split(",")[-1].strip()


def _limited(request: HttpRequest, group: str, rate: str, value: str) -> bool:
    return is_ratelimited(request, group=group, key=partial(_key, value), rate=rate, increment=True)


def _key(value: str, group: str, request: HttpRequest) -> str:
    return value


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the address is the only key to the page: keep it out of caches, other sites' referrers and
    # indexes. Not "no-referrer": with it a browser posts the page's own forms with `Origin: null`, which
    # Django's CSRF check refuses, so a household could never confirm a visit (the browser test proves it).
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request, template: str, context: dict | None = None, status: int = 200) -> HttpResponse:
    return _private(render(request, TEMPLATES + template, context or {}, status=status))


@require_http_methods(["GET", "POST"])
def card(request: HttpRequest, token: str) -> HttpResponse:
    rates = settings.BANGFU_PUBLIC_RATES
    ip = client_ip(request)
    if _limited(request, "public-card-view", rates["view"], ip):
        return _page(request, "limited.html", status=429)
    ids = read_card_token(token)
    pairing = None
    if ids is not None:
        pairing = (Pairing.objects.filter(tenant_id=ids[0], pk=ids[1])
                   .select_related("tenant", "household__village__town", "first_helper__organisation",
                                   "second_helper__organisation").first())
    if pairing is None:
        return _page(request, "invalid.html", status=404)
    error = ""
    if request.method == "POST":
        if (_limited(request, "public-card-submit-ip", rates["submit"], ip)
                or _limited(request, "public-card-submit-card", rates["submit_per_card"], token)):
            return _page(request, "limited.html", status=429)
        try:
            done = _submit(request, pairing, source=blind_index("ip", ip) if ip else "")
            return _private(redirect(f"{request.path}?done={done}"))
        except ValidationFailed as exc:
            error = exc.message
    context = selectors.public_card(pairing, limit=settings.BANGFU_PUBLIC_CARD_VISITS)
    context.update(error=error, done=request.GET.get("done", "") if not error else "")
    return _page(request, "card.html", context, status=400 if error else 200)


def _submit(request: HttpRequest, pairing, *, source: str) -> str:
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise ValidationFailed.on("action", "请选择要提交的内容。")
    if action == "rate":
        feedback.rate(pairing=pairing, satisfaction=request.POST.get("satisfaction", ""),
                      note=request.POST.get("note", ""), source=source)
    else:
        feedback.answer_visit(pairing=pairing, visit_id=request.POST.get("visit"), confirmed=action == "confirm",
                              source=source)
    return action
