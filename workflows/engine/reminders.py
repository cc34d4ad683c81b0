"""Reminders before due dates (SPEC §6): N days ahead (Policy.reminder_days), once per thing due.

A reminder is a notification row keyed by what is due, so a rerun or a second worker sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from backend.fieldwork.models import Channel
from notifications.services import Message, notify
from workflows.pairings.models import Pairing

from .judging import pending_pairing_ids
from .notices import Audience, chunks, send
from .windows import Rule, Window


def days_ahead(policy, what: str) -> int:
    return int(policy.reminder_days.get(what, 0))


def remind_window(*, tenant, town_id: int, rule: Rule, window: Window, as_of: dt.date,
                  audience: Audience) -> tuple[int, int]:
    """Helpers who have no qualifying record yet in the window that ends soon. Returns (due, reminded)."""
    kind = "visit_due" if rule.channel == Channel.IN_PERSON else "call_due"
    helper = f"{rule.role}_helper"
    ids = pending_pairing_ids(tenant_id=tenant.pk, town_id=town_id, rule=rule, window=window)
    reminded = 0
    for part in chunks(ids):
        pairings = list(Pairing.objects.filter(pk__in=part).select_related(helper, "household").order_by("pk"))
        audience.load_people(getattr(p, helper) for p in pairings)
        messages = []
        for p in pairings:
            person = getattr(p, helper)
            context = {"helper_name": person.name, "household_name": p.household.head_name, "due_on": window.end,
                       "days_left": (window.end - as_of).days, "channel_label": Channel(rule.channel).label}
            messages.append(Message(audience.person(person), kind,
                                    f"{kind}:pairing={p.pk}:role={rule.role}:{window.text}", context,
                                    obj=p, town=town_id))
        reminded += send(tenant, messages)
    return len(ids), reminded


def remind_rosters(*, tenant, year: int, due: dt.date, as_of: dt.date, audience: Audience) -> tuple[int, int]:
    """Units that have not submitted a town's roster for the campaign yet."""
    from backend.directory.models import UnitQuota
    from workflows.rosters.models import Roster, RosterState

    sent = Roster.objects.filter(tenant=tenant, year=year, state__in=[RosterState.SUBMITTED, RosterState.ACCEPTED])
    done = set(sent.values_list("unit_id", "town_id"))
    quotas = [q for q in UnitQuota.objects.filter(tenant=tenant, count__gt=0).select_related("unit", "town")
              .order_by("unit__code", "town__code") if (q.unit_id, q.town_id) not in done]
    reminded = 0
    for q in quotas:
        context = {"unit_name": q.unit.name, "town_name": q.town.name, "due_on": due,
                   "days_left": (due - as_of).days, "quota": q.count}
        if notify(tenant=tenant, recipients=audience.organisation(q.unit), kind="roster_due", obj=q, town=q.town_id,
                  key=f"roster_due:unit={q.unit_id}:town={q.town_id}:{year}", context=context):
            reminded += 1
    return len(quotas), reminded


def remind_reports(*, tenant, year: int, quarter: int, due: dt.date, label: str, as_of: dt.date,
                   as_of_end: dt.datetime, audience: Audience) -> tuple[int, int]:
    """Town offices that have not submitted the quarter's report by the end of `as_of`."""
    from backend.directory.models import Organisation
    from workflows.reporting.models import Submission

    sent = Submission.objects.filter(tenant=tenant, report__year=year, report__quarter=quarter,
                                     submitted_at__lt=as_of_end)
    towns = Organisation.objects.towns().filter(tenant=tenant).exclude(
        pk__in=sent.values("report__town_id")).order_by("code")
    reminded = 0
    for town in towns:
        context = {"town_name": town.name, "quarter_label": label, "due_on": due, "days_left": (due - as_of).days}
        if notify(tenant=tenant, recipients=audience.organisation(town), kind="report_due", obj=town, town=town.pk,
                  key=f"report_due:town={town.pk}:{year}Q{quarter}", context=context):
            reminded += 1
    return len(towns), reminded
