"""The steps of a run, in order (docs/engine.md): cutoffs, compliance windows, reports, the ladder, reminders.
Each judges what has come due by the run's date and was not judged yet, in claimed batches."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Min

from backend.common import clock
from backend.directory.models import Organisation
from backend.tenancy.models import Policy, Tenant
from workflows.pairings.models import Pairing
from workflows.reporting.models import quarter_bounds, quarter_label
from workflows.reporting.services import due_on as report_due_on

from . import judging, ladder, reminders
from .context import (
    Context,
    claim,
    done_keys,
    not_in_place_key,
    record,
    report_key,
    roster_key,
    window_key,
)
from .models import Batch, EngineRun
from .notices import misses_recorded
from .windows import Rule, Window, judgeable_windows, window_containing

WINDOWS_PER_STATEMENT = 6


def not_in_place(ctx: Context) -> None:
    cutoff = ctx.policy.in_place_cutoff
    if ctx.as_of <= cutoff:
        return
    done = done_keys(ctx, "not_in_place")

    for town in ctx.towns:
        key = not_in_place_key(cutoff, town.pk)
        if key in done:
            continue

        def work(town=town):
            with ctx.timed("judge"):
                outcome = judging.judge_not_in_place(tenant_id=ctx.tenant.pk, town_id=town.pk, policy=ctx.policy,
                                                     cutoff=cutoff, as_of=ctx.as_of)
            return record(ctx, outcome)

        claim(ctx, key=key, step="not_in_place", work=work)


def overdue_rosters(ctx: Context) -> None:
    cutoff = ctx.policy.roster_cutoff
    due = ctx.calendar.due_date(cutoff, ctx.policy)
    if ctx.as_of <= due:
        return

    def work():
        with ctx.timed("judge"):
            outcome = judging.judge_rosters(tenant_id=ctx.tenant.pk, policy=ctx.policy, year=cutoff.year,
                                            cutoff=cutoff, due=due, due_end=ctx.end_of_day(due), as_of=ctx.as_of)
        return record(ctx, outcome)

    claim(ctx, key=roster_key(cutoff), step="roster_overdue", work=work)


def quarters(ctx: Context, *, ended_before: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    """(year, quarter, start, due date moved off holidays) of quarters since the first meeting."""
    first = first_met(ctx)
    if first is None:
        return []
    out = []
    for year in range(first.year, ended_before.year + 1):
        for quarter in (1, 2, 3, 4):
            start, end = quarter_bounds(year, quarter)
            if first <= end < ended_before:
                due = ctx.calendar.due_date(report_due_on(ctx.tenant, year, quarter), ctx.policy_on(end))
                out.append((year, quarter, start, due))
    return out


def overdue_reports(ctx: Context) -> None:
    done = done_keys(ctx, "report_overdue")
    for year, quarter, start, due in quarters(ctx, ended_before=ctx.as_of):
        key = report_key(year, quarter)
        if ctx.as_of <= due or key in done:
            continue

        def work(year=year, quarter=quarter, start=start, due=due):
            with ctx.timed("judge"):
                outcome = judging.judge_reports(tenant_id=ctx.tenant.pk, policy=ctx.policy, year=year, quarter=quarter,
                                                start=start, due=due, due_end=ctx.end_of_day(due),
                                                label=quarter_label(year, quarter), as_of=ctx.as_of)
            return record(ctx, outcome)

        claim(ctx, key=key, step="report_overdue", work=work)


def counts_for_ladder(rule: Rule, policy: Policy) -> bool:
    """S17 climbs on first helpers' in-person misses; phone and second-helper misses only by policy."""
    return ((rule.channel != "phone" or policy.ladder_counts_phone_misses)
            and (rule.role != "second" or policy.ladder_counts_second_helper_misses))


def all_rules(tenant: Tenant) -> list[Rule]:
    """Every rule of every policy version: a window is judged by the version in force on its last day."""
    rules = {Rule.of(raw) for p in Policy.objects.filter(tenant=tenant) for raw in p.frequency_rules}
    return sorted(rules)


def first_met(ctx: Context) -> dt.date | None:
    """The programme's first in-person meeting: nothing before it is judged."""
    if "first_met" not in ctx.memo:
        ctx.memo["first_met"] = Pairing.objects.filter(tenant=ctx.tenant).aggregate(m=Min("met_on"))["m"]
    return ctx.memo["first_met"]


def first_year(ctx: Context) -> int | None:
    first = first_met(ctx)
    return first.year if first else None


def due_windows(ctx: Context) -> list[tuple[Rule, Window, Policy]]:
    start = first_year(ctx)
    if start is None:
        return []
    due = []
    for rule in all_rules(ctx.tenant):
        for window in judgeable_windows(rule.months, first_year=start, as_of=ctx.as_of, grace_days=0):
            policy = ctx.policy_on(window.end)
            if rule in {Rule.of(r) for r in policy.frequency_rules} and \
                    window.judgeable_from(policy.grace_days) <= ctx.as_of:
                due.append((rule, window, policy))
    return due


def compliance_windows(ctx: Context) -> None:
    """Town by town: every window due there is claimed (one batch each) and judged in one statement."""
    done = done_keys(ctx, "window")
    due = [judging.DueWindow(rule, window, policy, counts_for_ladder(rule, policy))
           for rule, window, policy in due_windows(ctx)]
    for town in ctx.towns:
        pending = [(d, window_key(d.rule, d.window, town.pk)) for d in due]
        pending = [(d, key) for d, key in pending if key not in done]
        # A day brings one to three windows; a run catching up on months is cut into short transactions.
        for start in range(0, len(pending), WINDOWS_PER_STATEMENT):
            claim_many(ctx, town=town, pending=pending[start:start + WINDOWS_PER_STATEMENT])


def claim_many(ctx: Context, *, town: Organisation, pending: list) -> None:
    with transaction.atomic():
        with ctx.timed("judge"):
            claimed = []
            for d, key in pending:
                try:
                    with transaction.atomic():
                        batch = Batch.objects.create(tenant=ctx.tenant, key=key, step="window", run=ctx.run)
                    claimed.append((d, batch))
                except IntegrityError:
                    continue  # judged (or being judged) by another run
            if not claimed:
                return
            outcomes = judging.judge_windows(tenant_id=ctx.tenant.pk, town_id=town.pk,
                                             due=[d for d, _ in claimed], as_of=ctx.as_of)
            for (_, batch), outcome in zip(claimed, outcomes, strict=True):
                Batch.objects.filter(pk=batch.pk).update(judged=outcome.judged, created=len(outcome.miss_ids))
        with ctx.timed("notify"):
            misses_recorded(tenant=ctx.tenant, miss_ids=[pk for o in outcomes for pk in o.miss_ids],
                            audience=ctx.audience)
        EngineRun.objects.filter(pk=ctx.run.pk).update(heartbeat_at=clock.now())


def climb_ladder(ctx: Context) -> None:
    """Every year since the first pairing: a late run may have judged windows of years long past.
    The tenant row is locked for each year's climb, so concurrent runs neither race nor double-count."""
    start = first_year(ctx)
    if start is None:
        return
    for year in range(start, ctx.as_of.year + 1):
        policy = ctx.policy_on(min(ctx.as_of, dt.date(year, 12, 31)))
        with transaction.atomic(), ctx.timed("ladder"):
            Tenant.objects.select_for_update().filter(pk=ctx.tenant.pk).first()
            opened = ladder.climb(tenant=ctx.tenant, year=year, policy=policy, actor=ctx.actor)
            if opened:
                run = EngineRun.objects.get(pk=ctx.run.pk)
                Batch.objects.create(tenant=ctx.tenant, key=f"ladder:{year}:run={run.pk}:attempt={run.attempts}",
                                     step="ladder", run=run, judged=opened, created=opened)


def remind(ctx: Context) -> None:
    for raw in ctx.policy.frequency_rules:
        rule = Rule.of(raw)
        window = window_containing(rule.months, ctx.as_of)
        ahead = reminders.days_ahead(ctx.policy, "visit" if rule.channel == "in_person" else "call")
        if not window.end - dt.timedelta(days=ahead) <= ctx.as_of <= window.end:
            continue
        for town in ctx.towns:
            def work(rule=rule, window=window, town=town):
                with ctx.timed("remind"):
                    return reminders.remind_window(tenant=ctx.tenant, town_id=town.pk, rule=rule, window=window,
                                                   as_of=ctx.as_of, audience=ctx.audience)

            claim(ctx, key=f"remind:{rule.code}:{window.text}:town={town.pk}", step="remind_window", work=work)
    cutoff = ctx.policy.roster_cutoff
    due = ctx.calendar.due_date(cutoff, ctx.policy)
    if due - dt.timedelta(days=reminders.days_ahead(ctx.policy, "roster")) <= ctx.as_of <= due:
        def rosters():
            with ctx.timed("remind"):
                return reminders.remind_rosters(tenant=ctx.tenant, year=cutoff.year, due=due, as_of=ctx.as_of,
                                                audience=ctx.audience)

        claim(ctx, key=f"remind_roster:{cutoff.isoformat()}", step="remind_roster", work=rosters)
    ahead = dt.timedelta(days=reminders.days_ahead(ctx.policy, "report"))
    for year, quarter, _start, due in quarters(ctx, ended_before=ctx.as_of):
        if not due - ahead <= ctx.as_of <= due:
            continue

        def reports(year=year, quarter=quarter, due=due):
            with ctx.timed("remind"):
                return reminders.remind_reports(tenant=ctx.tenant, year=year, quarter=quarter, due=due,
                                                label=quarter_label(year, quarter), as_of=ctx.as_of,
                                                as_of_end=ctx.end_of_day(ctx.as_of), audience=ctx.audience)

        claim(ctx, key=f"remind_report:{year}Q{quarter}", step="remind_report", work=reports)


STEPS = (not_in_place, overdue_rosters, compliance_windows, overdue_reports, climb_ladder, remind)
