"""Visit compliance (S8, S14, S17) per town or per unit: of the compliance windows judged by `as_of`, how many
had a qualifying record, and the misses recorded in the year.

Windows and what they judge are the deadline engine's (SPEC §5, `workflows.engine.windows`): for each frequency
rule of the policy in force on a window's last day, calendar windows from 1 January, judged from the last day +
`grace_days` + 1 on; a pairing counts for a window only if it was active for the whole of it and the approved
exemptions of the helper and the household do not cover it together (`workflows.engine.coverage`); a record
qualifies if `fieldwork.ContactMonth` has the helper's role and a qualifying channel (an in-person visit also
serves as the month's phone contact) in the window's months. One grouped query per rule and window (at most a few dozen a year), never a query per pairing.
By unit, only first helpers' rules count: a unit answers for its first helpers (S17).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q

from backend.fieldwork.models import ContactMonth, HelperRole
from backend.tenancy.models import Policy
from workflows.accountability.models import Miss, MissKind, MissState
from workflows.engine.coverage import exempt_pairings
from workflows.engine.runs import all_rules
from workflows.engine.windows import Rule, Window, windows_in_year
from workflows.pairings.models import Pairing

from .groups import By, by_group, merge, rate, rows, total

MISS_KINDS = {"visit_misses": MissKind.VISIT, "call_misses": MissKind.CALL,
              "unconfirmed_misses": MissKind.VISIT_NOT_CONFIRMED}
FIELDS = ("judged", "met", *MISS_KINDS)


def judged_windows(tenant, *, year: int, as_of: dt.date, by: By) -> list[tuple[Rule, Window]]:
    """The rules' windows of `year` whose judging day has come by `as_of`, as the engine judges them."""
    out = []
    for rule in all_rules(tenant):
        if by.name == "unit" and rule.role != HelperRole.FIRST:
            continue
        for window in windows_in_year(rule.months, year):
            policy = Policy.current(tenant, on=window.end)
            if rule in {Rule.of(r) for r in policy.frequency_rules} and \
                    window.judgeable_from(policy.grace_days) <= as_of:
                out.append((rule, window))
    return out


def _window_pairings(actor, rule: Rule, window: Window):
    """Pairings the window judges (active throughout, not exempted), each marked whether it has a record."""
    exempt = exempt_pairings(tenant_id=actor.tenant.pk, role=rule.role, start=window.start, end=window.end)
    first, last = window.months
    record = ContactMonth.objects.filter(pairing_id=OuterRef("pk"), role=rule.role,
                                         channel__in=rule.qualifying_channels, year=window.year,
                                         month__gte=first, month__lte=last)
    return (Pairing.objects.visible_to(actor)
            .filter(met_on__lte=window.start, term_end__gte=window.end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=window.end))
            .exclude(pk__in=exempt)
            .annotate(has_record=Exists(record)))


def compliance(actor, *, year: int, by: By, as_of: dt.date) -> dict:
    per_group: dict[int | None, dict] = {}
    per_rule: dict[int | None, dict[str, dict]] = {}
    for rule, window in judged_windows(actor.tenant, year=year, as_of=as_of, by=by):
        counted = by_group(_window_pairings(actor, rule, window), by.pairing, judged=Count("id"),
                           met=Count("id", filter=Q(has_record=True)))
        for group, c in counted.items():
            g = per_group.setdefault(group, {"judged": 0, "met": 0})
            r = per_rule.setdefault(group, {}).setdefault(rule.code, {
                "role": rule.role, "channel": rule.channel, "months": rule.months, "judged": 0, "met": 0})
            for key in ("judged", "met"):
                g[key] += c[key]
                r[key] += c[key]
    misses = by_group(Miss.objects.visible_to(actor).filter(year=year, state=MissState.RECORDED), by.miss,
                      **{name: Count("id", filter=Q(kind=kind)) for name, kind in MISS_KINDS.items()})
    out = rows(actor.tenant, merge(per_group, misses), FIELDS)
    for row in out:
        row["rate"] = rate(row["met"], row["judged"])
        row["rules"] = [{**r, "rate": rate(r["met"], r["judged"])}
                        for r in sorted(per_rule.get(row["id"], {}).values(),
                                        key=lambda r: (r["role"], r["channel"], r["months"]))]
    summary = total(out, FIELDS)
    summary["rate"] = rate(summary["met"], summary["judged"])
    return {"year": year, "as_of": as_of, "by": by.name, "rows": out, "total": summary}
