"""SPEC §5, S8, S10: what the engine judges, when, with what evidence — and that it does so only once."""

from __future__ import annotations

from backend.fieldwork.models import Channel
from notifications.models import Notification
from workflows.accountability.models import Miss, MissKind
from workflows.engine.models import Batch

from .conftest import D, contact, enforce, keep_up, new_policy, paired, void

MAY_JUNE = "2018-05-01..2018-06-30"


def keys(cast, kind=None):
    """Keys of the compliance-window misses (quarterly reports are not filed in these tests)."""
    qs = Miss.objects.filter(tenant=cast.tenant, kind__in=[MissKind.VISIT, MissKind.CALL])
    return set((qs.filter(kind=kind) if kind else qs).values_list("key", flat=True))


def test_s8_no_visit_in_may_june_is_a_miss_from_6_july_with_its_evidence(cast):
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5),))
    before = enforce(cast, D(2018, 7, 5))
    assert keys(cast) == set() and before.counts.get("misses_window", 0) == 0
    run = enforce(cast, D(2018, 7, 6))
    miss = Miss.objects.get(tenant=cast.tenant, kind=MissKind.VISIT)
    assert miss.key == f"visit:pairing={p.pk}:role=first:{MAY_JUNE}"
    assert (miss.kind, miss.year, miss.person, miss.role, miss.organisation, miss.town, miss.household) == (
        MissKind.VISIT, 2018, p.first_helper, "first", cast.unit, cast.town, p.household)
    assert (miss.window_start, miss.window_end, miss.counts_for_ladder) == (D(2018, 5, 1), D(2018, 6, 30), True)
    assert miss.policy_version == cast.policy.version
    assert miss.evidence["window"] == ["2018-05-01", "2018-06-30"]
    assert miss.evidence["months_searched"] == ["2018-05", "2018-06"] and miss.evidence["channels"] == ["in_person"]
    assert miss.evidence["judgeable_from"] == "2018-07-06" and "入户走访" in miss.evidence["looked_for"]
    assert run.counts["misses_window"] == 1 and run.counts["windows_judged"] > 0


def test_s8_a_late_entry_within_grace_counts(cast):
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5),))
    contact(p, D(2018, 6, 30))  # entered after the window ended, before its judging day
    enforce(cast, D(2018, 7, 6))
    assert keys(cast) == set()


def test_s8_every_rule_is_judged_phone_monthly_and_second_helper_monthly(cast):
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.PHONE, 4), ("second", Channel.IN_PERSON, 6), ("first", Channel.PHONE, 7)))
    enforce(cast, D(2018, 7, 6))
    assert keys(cast) == {f"call:pairing={p.pk}:role=first:2018-04-01..2018-04-30",
                          f"visit:pairing={p.pk}:role=second:2018-06-01..2018-06-30"}
    # July's call was skipped but the July visit is the month's contact: no miss on 2018-08-06 either.
    enforce(cast, D(2018, 8, 6))
    assert len(keys(cast)) == 2
    call, second = Miss.objects.get(kind=MissKind.CALL), Miss.objects.get(role="second")
    assert call.evidence["channels"] == ["phone", "in_person"] and second.person == p.second_helper
    assert second.organisation == cast.town
    # Phone and second-helper misses are recorded but do not climb the ladder by default.
    assert not call.counts_for_ladder and not second.counts_for_ladder


def test_s17_phone_and_second_helper_misses_climb_when_the_policy_says_so(cast):
    new_policy(cast, ladder_counts_phone_misses=True, ladder_counts_second_helper_misses=True)
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.PHONE, 4), ("second", Channel.IN_PERSON, 6)))
    enforce(cast, D(2018, 7, 6))
    assert set(Miss.objects.filter(kind__in=["visit", "call"]).values_list("counts_for_ladder", flat=True)) == {True}


def test_s8_a_pairing_not_active_for_the_whole_window_is_not_judged(cast):
    from workflows.pairings import services

    late = paired(cast, met=D(2018, 5, 2))  # met after May–June began: first judged for July–August
    ended = paired(cast)
    services.end(actor=cast.actor("town_office"), pairing=ended, on=D(2018, 6, 10), reason_code="household_exited")
    enforce(cast, D(2018, 7, 6))
    assert not any(f"pairing={late.pk}:" in k and "2018-05" in k for k in keys(cast))
    assert not any(f"pairing={ended.pk}:" in k and (MAY_JUNE in k or "2018-06" in k) for k in keys(cast))
    # …but it was active for the whole of May, whose monthly call and second-helper visit are judged.
    assert f"call:pairing={ended.pk}:role=first:2018-05-01..2018-05-31" in keys(cast)
    # The March–April window began before anyone met (2018-03-20): never judged.
    assert not any("2018-03-01..2018-04-30" in k for k in keys(cast))
    enforce(cast, D(2018, 9, 6))
    assert f"visit:pairing={late.pk}:role=first:2018-07-01..2018-08-31" in keys(cast)


def test_s8_a_voided_visit_does_not_count(cast):
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5),))
    void(contact(p, D(2018, 6, 3)))
    enforce(cast, D(2018, 7, 6))
    assert keys(cast, MissKind.VISIT) == {f"visit:pairing={p.pk}:role=first:{MAY_JUNE}"}


def test_s5_running_twice_changes_nothing_the_second_time(cast):
    p = paired(cast)
    keep_up(p, skip=(("first", Channel.IN_PERSON, 5), ("first", Channel.PHONE, 6)))
    first = enforce(cast, D(2018, 7, 6))
    rows = (Miss.objects.count(), Notification.objects.count(), Batch.objects.count())
    second = enforce(cast, D(2018, 7, 6))
    assert first.counts["misses_window"] == 2 and second.counts == {
        "windows_judged": 0, "misses": 0, "escalations": 0, "reminders": 0}
    assert (Miss.objects.count(), Notification.objects.count(), Batch.objects.count()) == rows


def test_s5_a_late_run_judges_every_window_it_missed(cast):
    p = paired(cast)
    keep_up(p, months=range(3, 5))  # nothing after April
    enforce(cast, D(2018, 9, 6))
    assert {k for k in keys(cast, MissKind.VISIT) if "role=first" in k} == {
        f"visit:pairing={p.pk}:role=first:{MAY_JUNE}", f"visit:pairing={p.pk}:role=first:2018-07-01..2018-08-31"}
    assert len(keys(cast, MissKind.CALL)) == 4  # May to August, one per month
