"""A replay of 2018 for the demo tenant 莱州市, one `bangfu enforce --as-of` per day (SPEC §5, S8, S10, S17):
the 03-21 and 03-25 cutoffs, a first helper's May–June and July–August misses (levels 1 and 2), three misses
in one unit (level 3), an approved exemption that prevents a miss, a quarterly report not filed — and nothing
else."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from backend.bangfu.accounts import add_user
from backend.bangfu.seed import seed
from backend.fieldwork import contacts
from backend.fieldwork.models import Channel, Visit
from backend.households.models import Household
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor
from notifications.models import Notification
from workflows.accountability.models import Escalation, Miss
from workflows.engine import exemptions
from workflows.pairings import services as pairings
from workflows.pairings.models import Pairing
from workflows.rosters.models import Roster, RosterEntry, RosterState

D = dt.date
MAY, JULY = ("first", Channel.IN_PERSON, 5), ("first", Channel.IN_PERSON, 7)


def visits_for(pairing: Pairing, skip: set) -> list[Visit]:
    """The default rules kept, March to October 2018, except the (role, channel, month) in `skip`."""
    out = []
    for month in range(3, 11):
        wanted = [("first", Channel.PHONE), ("second", Channel.IN_PERSON)]
        if month % 2:
            wanted.append(("first", Channel.IN_PERSON))
        for role, channel in wanted:
            if (role, channel, month) in skip:
                continue
            out.append(Visit(
                tenant_id=pairing.tenant_id, pairing=pairing, role=role, channel=channel,
                occurred_on=D(2018, month, 28 if month == 3 else 12),
                helper_id=pairing.first_helper_id if role == "first" else pairing.second_helper_id,
                household_sign_method="signature" if channel == Channel.IN_PERSON else "",
                household_signer_name="户主" if channel == Channel.IN_PERSON else ""))
    return out


def late_pairing(tenant: Tenant) -> Pairing:
    """An in-scope household the seed left unpaired, paired on 03-23 with a free first helper from an
    accepted roster of its town; met in person only on 03-28."""
    policy = Policy.current(tenant)
    open_pairs = Q(pairings__state__in=["proposed", "active"])
    household = Household.objects.in_scope(policy, 2018).filter(tenant=tenant).exclude(open_pairs).first()
    town = household.village.town
    busy = Pairing.objects.open().values("first_helper")
    entry = (RosterEntry.objects.filter(roster__town=town, roster__state=RosterState.ACCEPTED)
             .exclude(person__in=busy).select_related("person").first())
    second = (Pairing.objects.open().filter(household__village__town=town).values("second_helper")
              .annotate(n=Count("id")).filter(n__lt=5).order_by("second_helper").first())
    actor = Actor.system_for(tenant)
    pairing = pairings.assign(actor=actor, household=household, first_helper=entry.person,
                              second_helper=household.village.town.people.get(pk=second["second_helper"]),
                              on=D(2018, 3, 23))
    return pairing


def file_reports(tenant: Tenant, *, except_q2_of) -> None:
    """Every town files its Q1 and Q2 reports the day before they are due, except one town's Q2."""
    from zoneinfo import ZoneInfo

    from workflows.reporting.models import QuarterlyReport, ReportState, Submission
    from workflows.reporting.services import due_on

    for town in tenant_towns(tenant):
        for quarter in (1, 2):
            if quarter == 2 and town.pk == except_q2_of.pk:
                continue
            due = due_on(tenant, 2018, quarter)
            at = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(16), tzinfo=ZoneInfo(tenant.time_zone))
            report = QuarterlyReport.objects.create(tenant=tenant, town=town, year=2018, quarter=quarter, due_on=due,
                                                    state=ReportState.SUBMITTED, submitted_at=at, revision=1)
            Submission.objects.create(tenant=tenant, report=report, revision=1, submitted_at=at, lines={})


def tenant_towns(tenant: Tenant):
    from backend.directory.models import Organisation

    return Organisation.objects.towns().filter(tenant=tenant)


def enforce(day: dt.date) -> str:
    out = io.StringIO()
    call_command("enforce", "--as-of", day.isoformat(), "--tenant", "370683", stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_s5_s8_s10_s17_replay_2018_for_the_demo_tenant(db):
    seed(households=400)
    tenant = Tenant.objects.get(code="370683")
    active = list(Pairing.objects.filter(tenant=tenant, state="active").select_related("first_helper"))
    per_unit = Counter(p.first_helper.organisation_id for p in active)
    unit_u = max(per_unit, key=lambda u: (per_unit[u], -u))
    assert per_unit[unit_u] >= 4
    d, e, f_ = [p for p in active if p.first_helper.organisation_id == unit_u][:3]
    others = [p for p in active if p.first_helper.organisation_id != unit_u]
    a = others[0]
    g = next(p for p in others if p.first_helper.organisation_id != a.first_helper.organisation_id)
    skips = {a.pk: {MAY, JULY}, d.pk: {MAY}, e.pk: {MAY}, f_.pk: {MAY}, g.pk: {MAY}}
    late = late_pairing(tenant)
    Visit.objects.bulk_create([v for p in [*active, late] for v in visits_for(p, skips.get(p.pk, set()))],
                              batch_size=2000)
    contacts.rebuild(tenant)

    # One unit's roster for one town was never submitted (03-21); its liaison has a login.
    silent = Roster.objects.filter(tenant=tenant).exclude(unit=unit_u).order_by("pk").first()
    Roster.objects.filter(pk=silent.pk).update(state=RosterState.DRAFT, submitted_at=None)
    liaison = add_user(username="liaison", tenant_code="370683", org_code=silent.unit.code, roles=["unit_liaison"],
                       password="secret-pass-123").user
    town_office = add_user(username="town", tenant_code="370683", org_code=g.household.village.town.code,
                           roles=["town_office"], password="secret-pass-123")
    exemption = exemptions.request(actor=Actor.for_user(town_office.user), person=g.first_helper,
                                   start_on=D(2018, 4, 25), end_on=D(2018, 7, 5), reason_code="hospitalisation",
                                   reason="腰椎手术住院治疗")
    exemptions.approve(actor=Actor.for_user(town_office.user), exemption=exemption, reason="有住院证明")
    g_town = g.household.village.town
    file_reports(tenant, except_q2_of=g_town)

    day, seen = D(2018, 3, 15), {}
    while day <= D(2018, 9, 10):
        if day == D(2018, 3, 28):
            pairings.activate(actor=Actor.system_for(tenant), pairing=late, met_on=day)
        output = enforce(day)
        seen[day] = (set(Miss.objects.filter(tenant=tenant).values_list("key", flat=True)),
                     set(Escalation.objects.filter(tenant=tenant).values_list("level", "person", "organisation")))
        if day == D(2018, 7, 6):
            july_output = output
        day += dt.timedelta(days=1)

    def new_on(when):
        before = seen[when - dt.timedelta(days=1)]
        return seen[when][0] - before[0], seen[when][1] - before[1]

    # 03-18: the unit that has not submitted is reminded three days ahead; 03-22: its roster is overdue.
    assert Notification.objects.filter(kind="roster_due", user=liaison).count() == 1
    misses, _ = new_on(D(2018, 3, 22))
    assert misses == {f"roster_overdue:unit={silent.unit_id}:town={silent.town_id}:2018"}
    # 03-26: the pairing not met by 03-25 is not in place (met on 03-28, late).
    misses, _ = new_on(D(2018, 3, 26))
    assert misses == {f"not_in_place:pairing={late.pk}:2018-03-25"}
    # 07-06: May–June is judged — A (level 1), and D, E, F of one unit (level 1 each and the unit's level 3);
    # G was exempted. Nothing on 07-05.
    assert new_on(D(2018, 7, 5)) == (set(), set())
    misses, steps = new_on(D(2018, 7, 6))
    window = "2018-05-01..2018-06-30"
    assert misses == {f"visit:pairing={p.pk}:role=first:{window}" for p in (a, d, e, f_)}
    assert steps == {(1, p.first_helper_id, p.first_helper.organisation_id) for p in (a, d, e, f_)} | {
        (3, None, unit_u)}
    assert "misses 4, escalations 5" in july_output
    # 09-06: A's July–August miss is the second of the year: level 2, and the award eligibility is lost.
    misses, steps = new_on(D(2018, 9, 6))
    assert misses == {f"visit:pairing={a.pk}:role=first:2018-07-01..2018-08-31"}
    assert steps == {(2, a.first_helper_id, a.first_helper.organisation_id)}
    assert Escalation.objects.get(level=2).loses_award_eligibility
    # G's town did not file its second-quarter report (due Tuesday 07-10): reminded five days ahead, overdue
    # from 07-11.
    # (Every town is reminded of each quarter five days ahead; this one filed Q1 on 04-09.)
    assert sorted(Notification.objects.filter(kind="report_due", user=town_office.user)
                  .values_list("params__quarter_label", flat=True)) == ["2018年第一季度", "2018年第二季度"]
    assert new_on(D(2018, 7, 11))[0] == {f"report_overdue:town={g_town.pk}:2018Q2"}
    # Nothing else all year: every other helper kept every rule, every other town reported.
    assert len(seen[D(2018, 9, 10)][0]) == 8
    assert not Miss.objects.filter(person=g.first_helper).exists()
