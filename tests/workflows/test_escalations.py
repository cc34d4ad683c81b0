"""S17 escalations: one per ladder step, opened idempotently by the engine or by hand, then notice →
interview → closed, or withdrawn with evidence (the misses are voided)."""

import datetime as dt
import itertools

import pytest

from backend.common.errors import Forbidden, ValidationFailed
from backend.tenancy.scoping import Actor
from workflows.accountability import services
from workflows.accountability.models import Escalation, Miss, MissKind, MissState

_n = itertools.count(100)


def miss(cast, n=None, person=None, kind=MissKind.VISIT):
    person = person or cast.first_helper
    n = next(_n) if n is None else n
    return Miss.objects.create(tenant=cast.tenant, key=f"visit:{person.pk}:{n}", kind=kind, year=2018, person=person,
                               role="first", organisation=person.organisation, town=cast.town,
                               household=cast.household, window_start=dt.date(2018, 3, 1),
                               window_end=dt.date(2018, 4, 30), policy_version=cast.policy.version)


def open_level(cast, level=1, misses=None, actor=None, **target):
    if level in (1, 2):
        target.setdefault("person", cast.first_helper)
    else:
        target.setdefault("organisation", cast.unit)
    return services.open_escalation(tenant=cast.tenant, level=level, year=2018, misses=misses or [miss(cast)],
                                    actor=actor or Actor.system_for(cast.tenant), reason="第一次未按要求入户", **target)


def test_s17_open_escalation_is_idempotent_and_collects_misses(cast):
    first, second = miss(cast, 1), miss(cast, 2)
    a = open_level(cast, misses=[first])
    b = open_level(cast, misses=[first, second])
    assert a.pk == b.pk and Escalation.objects.count() == 1
    assert set(b.misses.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert b.organisation == cast.unit and not b.loses_award_eligibility


def test_s17_level_two_records_loss_of_award_eligibility(cast):
    esc = open_level(cast, level=2)
    assert esc.loses_award_eligibility
    assert list(Escalation.objects.award_ineligible(2018).values_list("person", flat=True)) == [cast.first_helper.pk]


def test_s17_level_three_targets_a_unit(cast):
    esc = open_level(cast, level=3)
    assert esc.person is None and esc.organisation == cast.unit and esc.target_name == cast.unit.name
    with pytest.raises(ValidationFailed, match="三级问责须指定部门单位"):
        open_level(cast, level=3, organisation=cast.town)


def test_s17_only_the_city_office_opens_by_hand(cast):
    with pytest.raises(Forbidden):
        open_level(cast, actor=cast.actor("unit_liaison"))
    esc = open_level(cast, actor=cast.actor("city_office"))
    assert esc.source == "manual"


def test_s17_withdrawal_voids_the_misses_and_a_new_step_can_open(cast):
    m = miss(cast)
    esc = open_level(cast, misses=[m])
    services.withdraw(actor=cast.actor("city_office"), escalation=esc, evidence="该户当月住院，走访记录补录在案")
    m.refresh_from_db()
    assert m.state == MissState.WITHDRAWN and m.withdrawn_at and "住院" in m.withdrawn_reason
    again = open_level(cast, misses=[miss(cast, 3)])
    assert again.pk != esc.pk
