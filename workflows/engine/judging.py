"""Judging (SPEC §5, S8, S10): set-based statements that write misses, one town or one tenant at a time.

Each judgement is one `INSERT … SELECT … ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id`: the misses
are computed and written by the database in one statement, a miss that exists already is left alone (the
unique key, not luck), and the ids returned are exactly the rows this statement created. A compliance
window is judged by an anti-join on `fieldwork.ContactMonth` (indexed per pairing and month), never by
reading visits, so the cost follows the pairings due, not the history.
The same SQL runs on PostgreSQL and SQLite (≥ 3.35); only the JSON cast differs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from backend.directory.models import Person, UnitQuota, Village
from backend.fieldwork.models import Channel, ContactMonth, HelperRole
from backend.households.models import Household
from workflows.accountability.models import Miss, MissKind
from workflows.core.models import TransitionLog
from workflows.pairings.models import Pairing

from .models import Exemption, ExemptionState
from .windows import Rule, Window


@dataclass(frozen=True)
class Outcome:
    judged: int
    miss_ids: list[int]


def _tables() -> dict[str, str]:
    return {"pairing": Pairing._meta.db_table, "household": Household._meta.db_table,
            "village": Village._meta.db_table, "person": Person._meta.db_table,
            "contact": ContactMonth._meta.db_table, "exemption": Exemption._meta.db_table,
            "miss": Miss._meta.db_table, "quota": UnitQuota._meta.db_table, "log": TransitionLog._meta.db_table}


def _json(value: dict) -> tuple[str, str]:
    """SQL for a JSON parameter and its value: jsonb on PostgreSQL, text elsewhere."""
    sql = "CAST(%(evidence)s AS jsonb)" if connection.vendor == "postgresql" else "%(evidence)s"
    return sql, json.dumps(value, ensure_ascii=False)


def _now() -> object:
    from backend.common import clock

    return connection.ops.adapt_datetimefield_value(clock.now())


MISS_COLUMNS = ("tenant_id, key, kind, source, state, year, pairing_id, person_id, role, organisation_id, town_id, "
                "household_id, window_start, window_end, counts_for_ladder, policy_version, evidence, created_at, "
                "withdrawn_at, withdrawn_reason")


def _insert(select_sql: str, params: dict) -> list[int]:
    sql = (f"INSERT INTO {_tables()['miss']} ({MISS_COLUMNS}) {select_sql} "
           "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _count(from_where: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {from_where}", params)
        return cursor.fetchone()[0]


# -- compliance windows ---------------------------------------------------------------------------------

def _window_scope(helper: str, *, with_helper: bool = False) -> str:
    """Pairings of one town active for the whole window and not covered by an approved exemption."""
    t = _tables()
    join = f"JOIN {t['person']} hp ON hp.id = p.{helper}_id" if with_helper else ""
    return f"""
        FROM {t['pairing']} p
        JOIN {t['household']} h ON h.id = p.household_id
        JOIN {t['village']} v ON v.id = h.village_id
        {join}
        WHERE p.tenant_id = %(tenant)s AND v.town_id = %(town)s
          AND p.met_on <= %(start)s AND (p.ended_on IS NULL OR p.ended_on >= %(end)s) AND p.term_end >= %(end)s
          AND NOT EXISTS (
            SELECT 1 FROM {t['exemption']} e
            WHERE e.tenant_id = p.tenant_id AND e.state = %(approved)s
              AND e.start_on <= %(start)s AND e.end_on >= %(end)s
              AND (e.person_id = p.{helper}_id OR e.household_id = p.household_id))"""


def _no_record(channels: tuple[str, ...]) -> str:
    names = ", ".join(f"%(channel{i})s" for i in range(len(channels)))
    return f"""
          AND NOT EXISTS (
            SELECT 1 FROM {_tables()['contact']} c
            WHERE c.pairing_id = p.id AND c.role = %(role)s AND c.channel IN ({names})
              AND c.year = %(year)s AND c.month >= %(first_month)s AND c.month <= %(last_month)s)"""


def window_evidence(rule: Rule, window: Window, *, grace_days: int, as_of: dt.date) -> dict:
    first, last = window.months
    return {
        "looked_for": f"{HelperRole(rule.role).label}的{'、'.join(Channel(c).label for c in rule.qualifying_channels)}记录（未作废）",
        "rule": {"role": rule.role, "channel": rule.channel, "months": rule.months},
        "channels": list(rule.qualifying_channels),
        "window": [window.start.isoformat(), window.end.isoformat()],
        "months_searched": [f"{window.year}-{m:02d}" for m in range(first, last + 1)],
        "source": "fieldwork.ContactMonth",
        "found": 0,
        "grace_days": grace_days,
        "judgeable_from": window.judgeable_from(grace_days).isoformat(),
        "judged_as_of": as_of.isoformat(),
    }


def window_params(*, tenant_id: int, town_id: int, rule: Rule, window: Window) -> dict:
    first, last = window.months
    params = {"tenant": tenant_id, "town": town_id, "start": window.start, "end": window.end,
              "approved": ExemptionState.APPROVED, "role": rule.role, "year": window.year,
              "first_month": first, "last_month": last}
    params.update({f"channel{i}": c for i, c in enumerate(rule.qualifying_channels)})
    return params


def window_misses_sql(rule: Rule, evidence_sql: str) -> str:
    """The SELECT that computes one window's misses for one town, as rows of the miss table."""
    helper = f"{rule.role}_helper"
    return f"""
        SELECT p.tenant_id, CAST(%(key_prefix)s AS TEXT) || CAST(p.id AS TEXT) || CAST(%(key_suffix)s AS TEXT),
               %(kind)s, 'engine', 'recorded', %(year)s, p.id, p.{helper}_id, %(role)s, hp.organisation_id,
               v.town_id, p.household_id, %(start)s, %(end)s, %(counts)s, %(version)s, {evidence_sql}, %(now)s,
               NULL, ''
        {_window_scope(helper, with_helper=True)}
        {_no_record(rule.qualifying_channels)}"""


def judge_window(*, tenant_id: int, town_id: int, rule: Rule, window: Window, policy, counts: bool,
                 as_of: dt.date) -> Outcome:
    """Misses of one rule's window in one town: pairings with no qualifying record in the window."""
    params = window_params(tenant_id=tenant_id, town_id=town_id, rule=rule, window=window)
    judged = _count(_window_scope(f"{rule.role}_helper"), params)
    if not judged:
        return Outcome(0, [])
    evidence_sql, evidence = _json(window_evidence(rule, window, grace_days=policy.grace_days, as_of=as_of))
    params.update(key_prefix=f"{rule.miss_kind}:pairing=", key_suffix=f":role={rule.role}:{window.text}",
                  kind=rule.miss_kind, counts=counts, version=policy.version, evidence=evidence, now=_now())
    return Outcome(judged, _insert(window_misses_sql(rule, evidence_sql), params))


def pending_pairing_ids(*, tenant_id: int, town_id: int, rule: Rule, window: Window) -> list[int]:
    """Pairings that will be judged for this window and have no qualifying record in it yet (reminders)."""
    params = window_params(tenant_id=tenant_id, town_id=town_id, rule=rule, window=window)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id {_window_scope(f'{rule.role}_helper')} {_no_record(rule.qualifying_channels)}",
                       params)
        return [row[0] for row in cursor.fetchall()]


# -- not in place (S10) ------------------------------------------------------------------------------------

def judge_not_in_place(*, tenant_id: int, town_id: int, policy, cutoff: dt.date, as_of: dt.date) -> Outcome:
    """Pairings proposed by the in-place cutoff for households known then, not met in person by it."""
    t = _tables()
    scope = f"""
        FROM {t['pairing']} p
        JOIN {t['household']} h ON h.id = p.household_id
        JOIN {t['village']} v ON v.id = h.village_id
        JOIN {t['person']} fh ON fh.id = p.first_helper_id
        WHERE p.tenant_id = %(tenant)s AND v.town_id = %(town)s AND p.proposed_on <= %(cutoff)s
          AND h.identified_year <= %(year)s AND (p.ended_on IS NULL OR p.ended_on > %(cutoff)s)"""
    params = {"tenant": tenant_id, "town": town_id, "cutoff": cutoff, "year": cutoff.year}
    judged = _count(scope, params)
    if not judged:
        return Outcome(0, [])
    evidence_sql, evidence = _json({
        "looked_for": "第一、第二帮扶责任人与贫困户首次入户见面（结对确认到位）",
        "cutoff": cutoff.isoformat(), "source": "pairings.Pairing.met_on", "judged_as_of": as_of.isoformat()})
    params.update(key_prefix="not_in_place:pairing=", key_suffix=f":{cutoff.isoformat()}",
                  kind=MissKind.NOT_IN_PLACE, version=policy.version, evidence=evidence, now=_now())
    select = f"""
        SELECT p.tenant_id, CAST(%(key_prefix)s AS TEXT) || CAST(p.id AS TEXT) || CAST(%(key_suffix)s AS TEXT),
               %(kind)s, 'engine', 'recorded', %(year)s, p.id, p.first_helper_id, 'first', fh.organisation_id,
               v.town_id, p.household_id, p.proposed_on, %(cutoff)s, FALSE, %(version)s, {evidence_sql}, %(now)s,
               NULL, ''
        {scope} AND (p.met_on IS NULL OR p.met_on > %(cutoff)s)"""
    return Outcome(judged, _insert(select, params))


# -- overdue rosters (S10) ---------------------------------------------------------------------------------

def judge_rosters(*, tenant_id: int, policy, year: int, cutoff: dt.date, due: dt.date, due_end: dt.datetime,
                  as_of: dt.date) -> Outcome:
    """Every A6 quota (unit × town) whose roster was not submitted by the due date. A later return for
    correction does not make an on-time submission late; a roster past draft with no submission time
    (loaded, not submitted here) cannot be shown late and counts as on time."""
    from workflows.rosters.models import Roster

    t = _tables()
    roster = Roster._meta.db_table
    scope = f"FROM {t['quota']} q WHERE q.tenant_id = %(tenant)s AND q.count > 0"
    params = {"tenant": tenant_id, "year": year, "cutoff": cutoff, "due": due,
              "due_end": connection.ops.adapt_datetimefield_value(due_end),
              "roster_type": ContentType.objects.get_for_model(Roster).pk}
    judged = _count(scope, params)
    if not judged:
        return Outcome(0, [])
    evidence_sql, evidence = _json({
        "looked_for": "部门单位向镇街报送第一帮扶责任人名单", "cutoff": cutoff.isoformat(), "due": due.isoformat(),
        "source": "rosters.Roster（报送记录）", "judged_as_of": as_of.isoformat()})
    params.update(key_prefix="roster_overdue:unit=", kind=MissKind.ROSTER_OVERDUE, version=policy.version,
                  evidence=evidence, now=_now(), key_suffix=f":{year}")
    select = f"""
        SELECT q.tenant_id, CAST(%(key_prefix)s AS TEXT) || CAST(q.unit_id AS TEXT) || ':town='
                 || CAST(q.town_id AS TEXT) || CAST(%(key_suffix)s AS TEXT),
               %(kind)s, 'engine', 'recorded', %(year)s, NULL, NULL, '', q.unit_id, q.town_id, NULL,
               %(cutoff)s, %(due)s, FALSE, %(version)s, {evidence_sql}, %(now)s, NULL, ''
        {scope}
          AND NOT EXISTS (
            SELECT 1 FROM {roster} r
            WHERE r.tenant_id = q.tenant_id AND r.unit_id = q.unit_id AND r.town_id = q.town_id AND r.year = %(year)s
              AND (r.submitted_at < %(due_end)s OR (r.submitted_at IS NULL AND r.state <> 'draft') OR EXISTS (
                SELECT 1 FROM {t['log']} l
                WHERE l.content_type_id = %(roster_type)s AND l.object_id = r.id AND l.transition = 'submit'
                  AND l.at < %(due_end)s)))"""
    return Outcome(judged, _insert(select, params))


# -- overdue quarterly reports (S6, S11) ---------------------------------------------------------------------

def judge_reports(*, tenant_id: int, policy, year: int, quarter: int, start: dt.date, due: dt.date,
                  due_end: dt.datetime, label: str, as_of: dt.date) -> Outcome:
    """Every town with no submission of the quarter's report before the end of its due date (a report
    submitted on time and returned afterwards is not overdue: the city office holds it)."""
    from backend.directory.models import Organisation
    from workflows.reporting.models import QuarterlyReport, Submission

    org = Organisation._meta.db_table
    scope = f"FROM {org} o WHERE o.tenant_id = %(tenant)s AND o.kind = 'town'"
    params = {"tenant": tenant_id, "year": year, "quarter": quarter, "start": start, "due": due,
              "due_end": connection.ops.adapt_datetimefield_value(due_end)}
    judged = _count(scope, params)
    if not judged:
        return Outcome(0, [])
    evidence_sql, evidence = _json({
        "looked_for": "镇街向市扶贫办报送季度报告", "quarter": f"{year}Q{quarter}", "quarter_label": label,
        "due": due.isoformat(), "source": "reporting.Submission", "judged_as_of": as_of.isoformat()})
    params.update(key_prefix="report_overdue:town=", key_suffix=f":{year}Q{quarter}", kind=MissKind.REPORT_OVERDUE,
                  version=policy.version, evidence=evidence, now=_now())
    select = f"""
        SELECT o.tenant_id, CAST(%(key_prefix)s AS TEXT) || CAST(o.id AS TEXT) || CAST(%(key_suffix)s AS TEXT),
               %(kind)s, 'engine', 'recorded', %(year)s, NULL, NULL, '', o.id, o.id, NULL, %(start)s, %(due)s,
               FALSE, %(version)s, {evidence_sql}, %(now)s, NULL, ''
        {scope}
          AND NOT EXISTS (
            SELECT 1 FROM {QuarterlyReport._meta.db_table} r
            JOIN {Submission._meta.db_table} s ON s.report_id = r.id
            WHERE r.tenant_id = o.tenant_id AND r.town_id = o.id AND r.year = %(year)s AND r.quarter = %(quarter)s
              AND s.submitted_at < %(due_end)s)"""
    return Outcome(judged, _insert(select, params))
