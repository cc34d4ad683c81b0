"""Where an inbox message takes its reader (SPEC §6, §9), in one place.

A notification carries its kind and the object it is about (`object_type` is the model's label, `object_id`
its id). `attach(actor, rows)` gives each row a `target` (a `Link`, or None): the page on which the recipient
acts on it — a miss → the misses page, an escalation → the escalation queue, a returned roster → that roster,
a returned report → that report, a visit or call due → the helper's household page, a festival delivery due →
that delivery, an income statement submitted or returned → that statement on the helper's pages. Routes are
tried in order; the first one the recipient may open wins. No link when no page fits,
when the recipient's role may not open the page (the page's own role gate), or when the object is outside
what the recipient may see (the same `visible_to` scoping the pages use).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.urls import Resolver404, resolve, reverse

from backend.tenancy.scoping import Actor
from workflows.pairings.models import OPEN_STATES, Pairing


@dataclass(frozen=True)
class Link:
    url: str
    label: str


# A route: (label, build) where build(actor, obj) is the page's address or None when it does not fit.
Route = tuple[str, Callable[[Actor, object], str | None]]


def _may_open(actor: Actor, url: str) -> bool:
    """The page's own role gate (`access.page` records it on the view)."""
    try:
        match = resolve(url.split("?")[0].split("#")[0])
    except Resolver404:
        return False
    roles = getattr(match.func, "page_roles", ())
    return not roles or actor.system or actor.has(*roles)


def _visible(actor: Actor, obj) -> bool:
    return type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists()


def _own_open_pairings(actor: Actor):
    """The helper pages (`views.helper._own_pairing`): open pairings of which the actor is a helper."""
    person = actor.person
    if person is None:
        return Pairing.objects.none()
    return (Pairing.objects.visible_to(actor).filter(state__in=OPEN_STATES)
            .filter(Q(first_helper=person) | Q(second_helper=person)))


def _own_open_pairing(actor: Actor, pairing_id: int | None) -> bool:
    return pairing_id is not None and _own_open_pairings(actor).filter(pk=pairing_id).exists()


def _household_page(actor: Actor, obj) -> str | None:
    pairing_id = obj.pk if isinstance(obj, Pairing) else getattr(obj, "pairing_id", None)
    return reverse("web:my-household", args=[pairing_id]) if _own_open_pairing(actor, pairing_id) else None


def _delivery_page(actor: Actor, delivery) -> str | None:
    if not _own_open_pairing(actor, delivery.pairing_id) or not _visible(actor, delivery):
        return None
    return reverse("web:deliver", args=[delivery.pairing_id, delivery.pk])


def _income_page(actor: Actor, statement) -> str | None:
    """The statement on the helper's own pages, through the actor's open pairing with the household (after a
    replacement, the new helpers')."""
    if not _visible(actor, statement):
        return None
    pairing = _own_open_pairings(actor).filter(household_id=statement.household_id).first()
    return reverse("web:income-statement", args=[pairing.pk, statement.year]) if pairing else None


def _misses_page(actor: Actor, miss) -> str | None:
    return f"{reverse('web:misses')}?year={miss.year}" if _visible(actor, miss) else None


def _escalation_queue(actor: Actor, escalation) -> str | None:
    return reverse("web:escalations") if _visible(actor, escalation) else None


def _roster_page(actor: Actor, roster) -> str | None:
    return reverse("web:unit-roster", args=[roster.pk]) if _visible(actor, roster) else None


def _report_page(actor: Actor, report) -> str | None:
    return reverse("web:report", args=[report.pk]) if _visible(actor, report) else None


def _page(name: str) -> Callable[[Actor, object], str]:
    """A list page that scopes itself: the role gate is the only check."""
    return lambda actor, obj: reverse(name)


MISS_ROUTES: list[Route] = [("查看未履职记录", _misses_page), ("去登记走访", _household_page)]

ROUTES: dict[str, list[Route]] = {
    "visit_due": [("去登记走访", _household_page)],
    "call_due": [("去登记电话联系", _household_page)],
    "delivery_due": [("去登记慰问签收", _delivery_page)],
    "miss_recorded": MISS_ROUTES,
    "roster_overdue": [*MISS_ROUTES[:1], ("去报送名单", _page("web:unit-rosters"))],
    "report_overdue": [*MISS_ROUTES[:1], ("去处理季度报告", _page("web:reports"))],
    "escalation_notice": [("查看问责事项", _escalation_queue)],
    "interview_scheduled": [("查看问责事项", _escalation_queue)],
    "roster_returned": [("修改并重新报送名单", _roster_page)],
    "roster_due": [("去报送名单", _page("web:unit-rosters"))],
    "report_returned": [("修改并重新提交报告", _report_page)],
    "report_due": [("去处理季度报告", _page("web:reports"))],
    "income_submitted": [("去核实收入明细表", _income_page)],
    "income_returned": [("修改并重新提交收入明细表", _income_page)],
}


def link_for(actor: Actor, kind: str, obj) -> Link | None:
    if obj is None:
        return None
    for label, build in ROUTES.get(kind, ()):
        url = build(actor, obj)
        if url and _may_open(actor, url):
            return Link(url, label)
    return None


def _objects(actor: Actor, rows: list) -> dict[tuple[str, int], object]:
    """The rows' objects, one query per model, within the actor's tenant."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for n in rows:
        if n.object_type and n.object_id is not None and n.kind in ROUTES:
            wanted[n.object_type].add(n.object_id)
    found: dict[tuple[str, int], object] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        for pk, obj in model.objects.filter(tenant=actor.tenant).in_bulk(ids).items():
            found[(label, pk)] = obj
    return found


def attach(actor: Actor, rows: Iterable) -> list:
    """Set `target` (a Link or None) on each notification row; returns the rows."""
    rows = list(rows)
    objects = _objects(actor, rows)
    for n in rows:
        n.target = link_for(actor, n.kind, objects.get((n.object_type, n.object_id)))
    return rows
