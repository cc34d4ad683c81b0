"""Judging (SPEC §5, S8, S10, S6): set-based statements that write misses, one town or one tenant at a time.

Each judgement names what is judged (`judged`: the pairings, quotas or towns concerned) and which of those
miss (`missing`, a SELECT over `judged` shaped as miss rows), and runs them as
`WITH judged AS (…) INSERT INTO miss … SELECT … ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id`:
the database computes and writes the misses in one statement, a miss that exists already is left alone (the
unique key, not luck), and the ids returned are exactly the rows this statement created. On PostgreSQL the
count of what was judged comes from the same statement; SQLite (≥ 3.35) counts in a second one.
A compliance window is judged by an anti-join on `fieldwork.ContactMonth` (indexed per pairing and month),
never by reading visits, so the cost follows the pairings due, not the history.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from backend.common import clock
from backend.directory.models import Organisation, Person, UnitQuota, Village
from backend.fieldwork.models import Channel, ContactMonth, HelperRole
from backend.households.models import Household
from workflows.accountability.models import Miss, MissKind
from workflows.core.models import TransitionLog
from workflows.pairings.models import Pairing

from .coverage import exempt_pairings
from .windows import Rule, Window


@dataclass(frozen=True)
class Outcome:
    judged: int
    miss_ids: list[int]


def _tables() -> dict[str, str]:
    return {"pairing": Pairing._meta.db_table, "household": Household._meta.db_table,
            "village": Village._meta.db_table, "person": Person._meta.db_table,
            "org": Organisation._meta.db_table, "contact": ContactMonth._meta.db_table,
            "miss": Miss._meta.db_table, "quota": UnitQuota._meta.db_table,
            "log": TransitionLog._meta.db_table}


MISS_COLUMNS = ("tenant_id, key, kind, source, state, year, pairing_id, person_id, role, organisation_id, town_id, "
                "household_id, window_start, window_end, counts_for_ladder, policy_version, evidence, created_at, "
                "withdrawn_at, withdrawn_reason")
# The key of a miss: a text prefix, the id of what missed, a text suffix (e.g. visit:pairing=12:role=first:…).
KEY = "CAST(%(key_prefix)s AS TEXT) || CAST({id} AS TEXT) || CAST(%(key_suffix)s AS TEXT)"


def _common(*, kind: str, key_prefix: str, key_suffix: str, policy, evidence: dict) -> dict:
    """Parameters every miss statement uses; the evidence is the same for all rows of one judgement."""
    return {"kind": kind, "key_prefix": key_prefix, "key_suffix": key_suffix, "version": policy.version,
            "evidence": json.dumps(evidence, ensure_ascii=False),
            "now": connection.ops.adapt_datetimefield_value(clock.now())}


def _evidence_sql() -> str:
    return "CAST(%(evidence)s AS jsonb)" if connection.vendor == "postgresql" else "%(evidence)s"


def _judge(judged: str, missing: str, params: dict) -> Outcome:
    cte = f"WITH judged AS ({judged})"
    insert = (f"INSERT INTO {_tables()['miss']} ({MISS_COLUMNS}) {missing} "
              "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{cte}, created AS ({insert}) "
                           "SELECT (SELECT COUNT(*) FROM judged), (SELECT array_agg(id) FROM created)", params)
            count, ids = cursor.fetchone()
            return Outcome(count, sorted(ids or []))
        cursor.execute(f"{cte} SELECT COUNT(*) FROM judged", params)
        count = cursor.fetchone()[0]
        if not count:
            return Outcome(0, [])
        # SQLite: a SELECT with a WHERE clause before ON CONFLICT, so the upsert clause parses unambiguously.
        cursor.execute(f"{cte} {insert}", params)
        return Outcome(count, sorted(row[0] for row in cursor.fetchall()))


# -- compliance windows ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueWindow:
    """One rule's window to judge, under the policy version in force on its last day."""

    rule: Rule
    window: Window
    policy: object
    counts: bool  # whether its misses climb the ladder

    @property
    def key_prefix(self) -> str:
        return f"{self.rule.miss_kind}:pairing="

    @property
    def key_suffix(self) -> str:
        return f":role={self.rule.role}:{self.window.text}"


def _base() -> str:
    """The town's pairings that ever met in person, found through the town's households (indexes), so a
    town's statement reads that town, not the tenant: read once per town, whatever the number of windows."""
    t = _tables()
    households = (f"SELECT h.id FROM {t['household']} h JOIN {t['village']} v ON v.id = h.village_id "
                  "WHERE v.town_id = %(town)s AND h.tenant_id = %(tenant)s")
    # PostgreSQL: an array of ids makes one index scan of the pairings; SQLite has no arrays.
    of_town = f"= ANY(ARRAY({households}))" if connection.vendor == "postgresql" else f"IN ({households})"
    return f"""
        SELECT p.id, p.tenant_id, p.first_helper_id, p.second_helper_id, p.household_id, p.met_on, p.ended_on,
               p.term_end, CAST(%(town)s AS BIGINT) AS town_id
        FROM {t['pairing']} p
        WHERE p.household_id {of_town} AND p.tenant_id = %(tenant)s AND p.met_on IS NOT NULL"""


def _judged(i: int, rule: Rule, exempt: list[int]) -> str:
    """Pairings active for the whole window, less those that approved exemptions cover (`exempt`, ids)."""
    helper = f"{rule.role}_helper_id"
    names = ", ".join(f"%(exempt{i}_{k})s" for k in range(len(exempt)))
    return f"""
        SELECT b.id, b.tenant_id, b.{helper} AS person_id, b.household_id, b.town_id
        FROM base b
        WHERE b.met_on <= %(start{i})s AND (b.ended_on IS NULL OR b.ended_on >= %(end{i})s)
          AND b.term_end >= %(end{i})s{f" AND b.id NOT IN ({names})" if exempt else ""}"""


def _exempt_params(i: int, tenant_id: int, rule: Rule, window: Window) -> tuple[list[int], dict]:
    exempt = exempt_pairings(tenant_id=tenant_id, role=rule.role, start=window.start, end=window.end)
    return exempt, {f"exempt{i}_{k}": pk for k, pk in enumerate(exempt)}


def _no_record(i: int, rule: Rule) -> str:
    """No qualifying record of the rule's role in the window's months (ContactMonth has no zero rows)."""
    names = ", ".join(f"%(channel{i}_{k})s" for k in range(len(rule.qualifying_channels)))
    return f"""NOT EXISTS (
            SELECT 1 FROM {_tables()['contact']} c
            WHERE c.pairing_id = j.id AND c.role = %(role{i})s AND c.channel IN ({names})
              AND c.year = %(year{i})s AND c.month >= %(first_month{i})s AND c.month <= %(last_month{i})s)"""


def _window_params(i: int, rule: Rule, window: Window) -> dict:
    first, last = window.months
    params = {f"start{i}": window.start, f"end{i}": window.end, f"role{i}": rule.role, f"year{i}": window.year,
              f"first_month{i}": first, f"last_month{i}": last}
    params.update({f"channel{i}_{k}": c for k, c in enumerate(rule.qualifying_channels)})
    return params


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


def _missing(i: int, due: DueWindow) -> str:
    key = f"CAST(%(key_prefix{i})s AS TEXT) || CAST(j.id AS TEXT) || CAST(%(key_suffix{i})s AS TEXT)"
    evidence = f"CAST(%(evidence{i})s AS jsonb)" if connection.vendor == "postgresql" else f"%(evidence{i})s"
    # The helper's unit is looked up for the rows that miss only (a subquery in the select list), not for
    # every pairing judged.
    return f"""
        SELECT j.tenant_id, {key}, %(kind{i})s, 'engine', 'recorded', %(year{i})s, j.id, j.person_id, %(role{i})s,
               (SELECT hp.organisation_id FROM {_tables()['person']} hp WHERE hp.id = j.person_id), j.town_id,
               j.household_id, %(start{i})s, %(end{i})s, %(counts{i})s, %(version{i})s, {evidence}, %(now)s,
               CAST(NULL AS TIMESTAMP), ''
        FROM judged{i} j
        WHERE {_no_record(i, due.rule)}"""


def judge_windows(*, tenant_id: int, town_id: int, due: list[DueWindow], as_of: dt.date) -> list[Outcome]:
    """Misses of the windows due in one town, in one statement: the town's pairings are read once and each
    window adds its anti-join. One Outcome per window, in order."""
    params = {"tenant": tenant_id, "town": town_id, "now": connection.ops.adapt_datetimefield_value(clock.now())}
    for i, d in enumerate(due):
        params.update(_window_params(i, d.rule, d.window))
        evidence = window_evidence(d.rule, d.window, grace_days=d.policy.grace_days, as_of=as_of)
        params.update({f"kind{i}": d.rule.miss_kind, f"key_prefix{i}": d.key_prefix, f"key_suffix{i}": d.key_suffix,
                       f"counts{i}": d.counts, f"version{i}": d.policy.version,
                       f"evidence{i}": json.dumps(evidence, ensure_ascii=False)})
    exempt = []
    for i, d in enumerate(due):
        ids, more = _exempt_params(i, tenant_id, d.rule, d.window)
        exempt.append(ids)
        params.update(more)
    ctes = "WITH base AS (" + _base() + ")" + "".join(
        f", judged{i} AS ({_judged(i, d.rule, exempt[i])})" for i, d in enumerate(due))
    counts = ", ".join(f"(SELECT COUNT(*) FROM judged{i})" for i in range(len(due)))
    union = " UNION ALL ".join(_missing(i, d) for i, d in enumerate(due))
    # Each SELECT of the union ends in its WHERE clause, so SQLite parses the upsert clause unambiguously.
    insert = (f"INSERT INTO {_tables()['miss']} ({MISS_COLUMNS}) {union} "
              "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id, key")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{ctes}, created AS ({insert}) SELECT {counts}, "
                           "(SELECT array_agg(id) FROM created), (SELECT array_agg(key) FROM created)", params)
            *judged, ids, keys = cursor.fetchone()
            created = list(zip(ids or [], keys or [], strict=True))
        else:
            cursor.execute(f"{ctes} SELECT {counts}", params)
            judged = list(cursor.fetchone())
            created = []
            if any(judged):
                cursor.execute(f"{ctes} {insert}", params)
                created = cursor.fetchall()
    return [Outcome(judged[i], sorted(pk for pk, key in created
                                      if key.startswith(d.key_prefix) and key.endswith(d.key_suffix)))
            for i, d in enumerate(due)]


def pending_pairing_ids(*, tenant_id: int, town_id: int, rule: Rule, window: Window) -> list[int]:
    """Pairings that will be judged for this window and have no qualifying record in it yet (reminders)."""
    exempt, more = _exempt_params(0, tenant_id, rule, window)
    params = {"tenant": tenant_id, "town": town_id, **_window_params(0, rule, window), **more}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH base AS ({_base()}), judged0 AS ({_judged(0, rule, exempt)}) "
                       f"SELECT j.id FROM judged0 j WHERE {_no_record(0, rule)} ORDER BY j.id", params)
        return [row[0] for row in cursor.fetchall()]


# -- not in place (S10) ------------------------------------------------------------------------------------

def judge_not_in_place(*, tenant_id: int, town_id: int, policy, cutoff: dt.date, as_of: dt.date) -> Outcome:
    """Pairings proposed by the in-place cutoff for households known then, not met in person by it."""
    t = _tables()
    judged = f"""
        SELECT p.id, p.tenant_id, p.first_helper_id, p.household_id, p.proposed_on, p.met_on, v.town_id
        FROM {t['pairing']} p
        JOIN {t['household']} h ON h.id = p.household_id
        JOIN {t['village']} v ON v.id = h.village_id
        WHERE p.tenant_id = %(tenant)s AND v.town_id = %(town)s AND p.proposed_on <= %(cutoff)s
          AND h.identified_year <= %(year)s AND (p.ended_on IS NULL OR p.ended_on > %(cutoff)s)"""
    params = {"tenant": tenant_id, "town": town_id, "cutoff": cutoff, "year": cutoff.year, **_common(
        kind=MissKind.NOT_IN_PLACE, key_prefix="not_in_place:pairing=", key_suffix=f":{cutoff.isoformat()}",
        policy=policy, evidence={"looked_for": "第一、第二帮扶责任人与贫困户首次入户见面（结对确认到位）",
                                 "cutoff": cutoff.isoformat(), "source": "pairings.Pairing.met_on",
                                 "judged_as_of": as_of.isoformat()})}
    missing = f"""
        SELECT j.tenant_id, {KEY.format(id="j.id")}, %(kind)s, 'engine', 'recorded', %(year)s, j.id,
               j.first_helper_id, 'first', fh.organisation_id, j.town_id, j.household_id, j.proposed_on,
               %(cutoff)s, FALSE, %(version)s, {_evidence_sql()}, %(now)s, NULL, ''
        FROM judged j JOIN {t['person']} fh ON fh.id = j.first_helper_id
        WHERE j.met_on IS NULL OR j.met_on > %(cutoff)s"""
    return _judge(judged, missing, params)


# -- overdue rosters (S10) ---------------------------------------------------------------------------------

def judge_rosters(*, tenant_id: int, policy, year: int, cutoff: dt.date, due: dt.date, due_end: dt.datetime,
                  as_of: dt.date) -> Outcome:
    """Every A6 quota (unit × town) whose roster was not submitted by the due date. A later return for
    correction does not make an on-time submission late; a roster past draft with no submission time
    (loaded, not submitted here) cannot be shown late and counts as on time."""
    from workflows.rosters.models import Roster

    t = _tables()
    judged = f"SELECT q.tenant_id, q.unit_id, q.town_id FROM {t['quota']} q WHERE q.tenant_id = %(tenant)s AND q.count > 0"
    params = {"tenant": tenant_id, "year": year, "cutoff": cutoff, "due": due,
              "due_end": connection.ops.adapt_datetimefield_value(due_end),
              "roster_type": ContentType.objects.get_for_model(Roster).pk, **_common(
                  kind=MissKind.ROSTER_OVERDUE, key_prefix="roster_overdue:unit=", key_suffix=f":{year}",
                  policy=policy, evidence={"looked_for": "部门单位向镇街报送第一帮扶责任人名单",
                                           "cutoff": cutoff.isoformat(), "due": due.isoformat(),
                                           "source": "rosters.Roster（报送记录）", "judged_as_of": as_of.isoformat()})}
    key = "CAST(%(key_prefix)s AS TEXT) || CAST(j.unit_id AS TEXT) || ':town=' || CAST(j.town_id AS TEXT) " \
          "|| CAST(%(key_suffix)s AS TEXT)"
    missing = f"""
        SELECT j.tenant_id, {key}, %(kind)s, 'engine', 'recorded', %(year)s, NULL, NULL, '', j.unit_id, j.town_id,
               NULL, %(cutoff)s, %(due)s, FALSE, %(version)s, {_evidence_sql()}, %(now)s, NULL, ''
        FROM judged j
        WHERE NOT EXISTS (
            SELECT 1 FROM {Roster._meta.db_table} r
            WHERE r.tenant_id = j.tenant_id AND r.unit_id = j.unit_id AND r.town_id = j.town_id AND r.year = %(year)s
              AND (r.submitted_at < %(due_end)s OR (r.submitted_at IS NULL AND r.state <> 'draft') OR EXISTS (
                SELECT 1 FROM {t['log']} l
                WHERE l.content_type_id = %(roster_type)s AND l.object_id = r.id AND l.transition = 'submit'
                  AND l.at < %(due_end)s)))"""
    return _judge(judged, missing, params)


# -- overdue quarterly reports (S6, S11) ---------------------------------------------------------------------

def judge_reports(*, tenant_id: int, policy, year: int, quarter: int, start: dt.date, due: dt.date,
                  due_end: dt.datetime, label: str, as_of: dt.date) -> Outcome:
    """Every town with no submission of the quarter's report before the end of its due date (a report
    submitted on time and returned afterwards is not overdue: the city office holds it)."""
    from workflows.reporting.models import QuarterlyReport, Submission

    judged = f"SELECT o.tenant_id, o.id FROM {_tables()['org']} o WHERE o.tenant_id = %(tenant)s AND o.kind = 'town'"
    params = {"tenant": tenant_id, "year": year, "quarter": quarter, "start": start, "due": due,
              "due_end": connection.ops.adapt_datetimefield_value(due_end), **_common(
                  kind=MissKind.REPORT_OVERDUE, key_prefix="report_overdue:town=", key_suffix=f":{year}Q{quarter}",
                  policy=policy, evidence={"looked_for": "镇街向市扶贫办报送季度报告", "quarter": f"{year}Q{quarter}",
                                           "quarter_label": label, "due": due.isoformat(),
                                           "source": "reporting.Submission", "judged_as_of": as_of.isoformat()})}
    missing = f"""
        SELECT j.tenant_id, {KEY.format(id="j.id")}, %(kind)s, 'engine', 'recorded', %(year)s, NULL, NULL, '', j.id,
               j.id, NULL, %(start)s, %(due)s, FALSE, %(version)s, {_evidence_sql()}, %(now)s, NULL, ''
        FROM judged j
        WHERE NOT EXISTS (
            SELECT 1 FROM {QuarterlyReport._meta.db_table} r
            JOIN {Submission._meta.db_table} s ON s.report_id = r.id
            WHERE r.tenant_id = j.tenant_id AND r.town_id = j.id AND r.year = %(year)s AND r.quarter = %(quarter)s
              AND s.submitted_at < %(due_end)s)"""
    return _judge(judged, missing, params)
