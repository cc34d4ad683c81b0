"""Inspection and phone-survey services (S13, S17): plan with a sample, record findings, conduct, close.

- A random sample is drawn from the in-scope households with an open pairing (optionally limited to towns
  and to the first helpers' units), ordered by id, with `random.Random(seed)`: the seed is recorded, so the
  same population and seed give the same sample.
- Chosen households (指定户) must be visible to the office, in this year's programme scope and inside the
  inspection's towns and units (a unit: the household's open pairing has a first helper of that unit).
- Conducting makes the findings final: a household that does not confirm the visits becomes a miss of kind
  `visit_not_confirmed` for its first helper (unique key per inspection and household), and a 不满意 finding
  counts for the unit's level-3 escalation through `selectors.dissatisfied_units`, which the engine reads.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Iterable

from django.db import transaction

from backend.common import clock
from backend.common.errors import TransitionNotAllowed, ValidationFailed
from backend.directory.models import Organisation, OrgKind
from backend.fieldwork.models import Satisfaction
from backend.households.models import Household
from backend.tenancy.models import Policy
from backend.tenancy.scoping import Actor
from notifications.services import notify
from workflows.accountability.models import Miss, MissKind, MissSource
from workflows.core import recipients, transitions
from workflows.pairings.models import Pairing
from workflows.plans.access import OFFICES, d, is_city_office, local_today, require, same_tenant

from .models import Finding, Inspection, InspectionKind, InspectionState, SampleMethod

ANSWERS = (("helper_in_place", "帮扶责任人是否到位"), ("visits_confirmed", "贫困户是否确认有走访"),
           ("knows_helper_name", "贫困户是否知道帮扶责任人姓名"))
MAX_SEED = 2**31


def _require_office(actor: Actor) -> None:
    require(is_city_office(actor), "督导检查和电话调查由市扶贫办组织。")


def _orgs(actor: Actor, ids: Iterable[int], kind: str, field: str) -> list[Organisation]:
    ids = list(dict.fromkeys(ids or []))
    found = list(Organisation.objects.filter(tenant=actor.tenant, kind=kind, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationFailed.on(field, "所选镇街不存在。" if kind == OrgKind.TOWN else "所选部门单位不存在。")
    return found


def population(tenant, *, on: dt.date, towns: list[Organisation], units: list[Organisation]):
    """Ids of the households a random sample is drawn from, in id order."""
    policy = Policy.current(tenant, on)
    pairings = Pairing.objects.open().filter(tenant=tenant)
    if units:
        pairings = pairings.filter(first_helper__organisation__in=units)
    households = Household.objects.for_tenant(tenant).in_scope(policy, on.year).filter(
        pk__in=pairings.values("household_id"))
    if towns:
        households = households.filter(village__town__in=towns)
    return list(households.order_by("pk").values_list("pk", flat=True))


def draw(ids: list[int], size: int, seed: int) -> list[int]:
    """The reproducible random sample: same ids (in order), size and seed → same households, same order."""
    return random.Random(seed).sample(ids, size)


@transaction.atomic
def plan(*, actor: Actor, kind: str, title: str, planned_on: dt.date, method: str, sample_size: int | None = None,
         seed: int | None = None, towns: Iterable[int] = (), units: Iterable[int] = (),
         households: Iterable[int] = (), note: str = "") -> Inspection:
    _require_office(actor)
    if kind not in InspectionKind.values:
        raise ValidationFailed.on("kind", "检查方式只能是现场督导检查或电话调查。")
    title = (title or "").strip() or f"{d(planned_on)}{InspectionKind(kind).label}"
    town_objs = _orgs(actor, towns, OrgKind.TOWN, "towns")
    unit_objs = _orgs(actor, units, OrgKind.UNIT, "units")
    if method == SampleMethod.RANDOM:
        ids = population(actor.tenant, on=planned_on, towns=town_objs, units=unit_objs)
        if not sample_size or sample_size < 1:
            raise ValidationFailed.on("sample_size", "请填写抽样户数（至少1户）。")
        if sample_size > len(ids):
            raise ValidationFailed.on("sample_size", f"抽样户数{sample_size}户超过抽样总体（{len(ids)}户已结对的帮扶对象）。")
        seed = secrets.randbelow(MAX_SEED) if seed is None else seed
        if not 0 <= seed < MAX_SEED:
            raise ValidationFailed.on("seed", f"随机种子应在0到{MAX_SEED - 1}之间。")
        chosen, pop_count = draw(ids, sample_size, seed), len(ids)
    elif method == SampleMethod.CHOSEN:
        chosen = list(dict.fromkeys(households or []))
        if not chosen:
            raise ValidationFailed.on("households", "请选择要检查的贫困户。")
        _check_chosen(actor, chosen, on=planned_on, towns=town_objs, units=unit_objs)
        seed, pop_count = None, len(chosen)
    else:
        raise ValidationFailed.on("method", "抽样方式只能是随机抽样或指定户。")
    inspection = Inspection.objects.create(
        tenant=actor.tenant, kind=kind, title=title[:100], planned_on=planned_on, method=method, seed=seed,
        sample_size=len(chosen), population=pop_count, note=(note or "").strip(), created_by=actor.user)
    inspection.towns.set(town_objs)
    inspection.units.set(unit_objs)
    _sample(inspection, chosen)
    transitions.log_creation(inspection, actor=actor, data={"method": method, "seed": seed, "size": len(chosen)})
    return inspection


def _names(households) -> str:
    names = [h.head_name for h in households]
    return "、".join(names[:5]) + ("等" if len(names) > 5 else "")


def _check_chosen(actor: Actor, ids: list[int], *, on: dt.date, towns: list[Organisation],
                  units: list[Organisation]) -> None:
    """Chosen households must be ones the office may see, in the programme this year, and inside the towns and
    units the inspection is limited to (a unit: the household's first helper belongs to it)."""
    if Household.objects.for_tenant(actor.tenant).filter(pk__in=ids).count() != len(ids):
        raise ValidationFailed.on("households", "所选贫困户不存在。")
    found = list(Household.objects.visible_to(actor).filter(pk__in=ids).select_related("village").order_by("pk"))
    if len(found) != len(ids):
        raise ValidationFailed.on("households", "所选贫困户不在您的管辖范围内。")
    policy = Policy.current(actor.tenant, on)
    outside = [h for h in found if not h.in_scope(policy, on.year)]
    if outside:
        raise ValidationFailed.on("households", f"{_names(outside)}户不在{on.year}年帮扶对象范围内（已脱贫或已注销）。")
    if towns:
        outside = [h for h in found if h.village.town_id not in {t.pk for t in towns}]
        if outside:
            raise ValidationFailed.on("households", f"{_names(outside)}户不在所选镇街范围内。")
    if units:
        helped = set(Pairing.objects.open().filter(household_id__in=ids, first_helper__organisation__in=units)
                     .values_list("household_id", flat=True))
        outside = [h for h in found if h.pk not in helped]
        if outside:
            raise ValidationFailed.on("households", f"{_names(outside)}户的第一帮扶责任人不属于所选部门单位。")


def _sample(inspection: Inspection, household_ids: list[int]) -> None:
    """One finding per household, with its open pairing, first helper, unit and town as of now."""
    households = {h.pk: h for h in Household.objects.filter(pk__in=household_ids).select_related("village")}
    pairings = {p.household_id: p for p in Pairing.objects.open().filter(household_id__in=household_ids)
                .select_related("first_helper")}
    rows = []
    for order, hid in enumerate(household_ids, start=1):
        p = pairings.get(hid)
        rows.append(Finding(tenant_id=inspection.tenant_id, inspection=inspection, household_id=hid, order=order,
                            town_id=households[hid].village.town_id, pairing=p,
                            helper_id=p.first_helper_id if p else None,
                            unit_id=p.first_helper.organisation_id if p else None))
    Finding.objects.bulk_create(rows)


@transaction.atomic
def record(*, actor: Actor, finding: Finding, contacted: bool | None, helper_in_place: bool | None = None,
           visits_confirmed: bool | None = None, knows_helper_name: bool | None = None, satisfaction: str = "",
           notes: str = "") -> Finding:
    """What the inspectors found at (or heard from) one household, while the inspection is planned."""
    _require_office(actor)
    same_tenant(actor, finding)
    finding = Finding.objects.select_for_update().select_related("inspection", "household").get(pk=finding.pk)
    if finding.inspection.state != InspectionState.PLANNED:
        raise TransitionNotAllowed(f"“{finding.inspection}”已{finding.inspection.get_state_display()}，不能再修改检查结果。")
    who = finding.household.head_name
    if contacted is None:
        raise ValidationFailed.on("contacted", f"{who}户：请选择是否联系到贫困户。")
    answers = {"helper_in_place": helper_in_place, "visits_confirmed": visits_confirmed,
               "knows_helper_name": knows_helper_name}
    if contacted:
        problems = {f: [f"{who}户：请填写“{label}”。"] for f, label in ANSWERS if answers[f] is None}
        if satisfaction not in Satisfaction.values:
            problems["satisfaction"] = [f"{who}户：请选择满意度（满意、基本满意或不满意）。"]
        if problems:
            raise ValidationFailed(next(iter(problems.values()))[0], fields=problems)
    else:
        given = [label for f, label in ANSWERS if answers[f] is not None] + (["满意度"] if satisfaction else [])
        if given:
            raise ValidationFailed.on("contacted", f"{who}户：未联系到贫困户时不能填写{'、'.join(given)}。")
        if not (notes or "").strip():
            raise ValidationFailed.on("notes", f"{who}户：未联系到贫困户，请在情况记录中说明原因。")
    finding.contacted = contacted
    finding.helper_in_place, finding.visits_confirmed = answers["helper_in_place"], answers["visits_confirmed"]
    finding.knows_helper_name, finding.satisfaction = answers["knows_helper_name"], satisfaction if contacted else ""
    finding.notes = (notes or "").strip()
    finding.recorded_by, finding.recorded_at = actor.user, clock.now()
    finding.save()
    return finding


@transaction.atomic
def conduct(*, actor: Actor, inspection: Inspection, on: dt.date | None = None, reason: str = "") -> Inspection:
    """The findings are final: misses for unconfirmed visits, and dissatisfaction counts for the ladder."""
    _require_office(actor)
    same_tenant(actor, inspection)
    on = on or local_today(inspection.tenant)
    if on > local_today(inspection.tenant):
        raise ValidationFailed.on("on", f"检查完成日期{d(on)}晚于今天。")
    if on < inspection.planned_on:
        raise ValidationFailed.on("on", f"检查完成日期{d(on)}早于计划日期{d(inspection.planned_on)}。")
    open_count = inspection.findings.filter(recorded_at__isnull=True).count()
    if open_count:
        raise ValidationFailed.on("findings", f"还有{open_count}户未记录检查结果，不能完成检查。")
    transitions.apply(inspection, "conduct", actor=actor, roles=OFFICES, reason=reason, on=on)
    record_misses(inspection)
    return inspection


def record_misses(inspection: Inspection) -> list[Miss]:
    """S17: one `visit_not_confirmed` miss per household that did not confirm its helper's visits; a second run
    creates nothing (unique key). The first helper is told."""
    findings = list(inspection.findings.filter(visits_confirmed=False, pairing__isnull=False)
                    .select_related("household", "helper"))
    if not findings:
        return []
    policy = Policy.current(inspection.tenant, inspection.conducted_on)
    keys = {f.pk: f"visit_not_confirmed:inspection={inspection.pk}:household={f.household_id}" for f in findings}
    existing = set(Miss.objects.filter(tenant=inspection.tenant, key__in=keys.values()).values_list("key", flat=True))
    Miss.objects.bulk_create([
        Miss(tenant_id=inspection.tenant_id, key=keys[f.pk], kind=MissKind.VISIT_NOT_CONFIRMED,
             source=MissSource.INSPECTION, year=inspection.conducted_on.year, pairing_id=f.pairing_id,
             person_id=f.helper_id, role="first", organisation_id=f.unit_id, town_id=f.town_id,
             household_id=f.household_id, window_start=inspection.planned_on, window_end=inspection.conducted_on,
             policy_version=policy.version,
             evidence={"inspection": inspection.pk, "finding": f.pk, "kind": inspection.kind, "notes": f.notes})
        for f in findings if keys[f.pk] not in existing], ignore_conflicts=True)
    misses = list(Miss.objects.filter(tenant=inspection.tenant, key__in=keys.values()))
    _tell_helpers(inspection, findings, {m.key: m for m in misses}, keys)
    return misses


def _tell_helpers(inspection: Inspection, findings: list[Finding], misses: dict[str, Miss],
                  keys: dict[int, str]) -> None:
    who = recipients.for_people({f.helper for f in findings})
    window = f"{inspection.title}（{d(inspection.conducted_on)}）"
    for f in findings:
        notify(tenant=inspection.tenant, recipients=who[f.helper_id], kind="miss_recorded", obj=misses.get(keys[f.pk]),
               key=f"miss:visit_not_confirmed:inspection={inspection.pk}:household={f.household_id}",
               town=f.town_id, context={"person_name": f.helper.name, "household_name": f.household.head_name,
                                        "kind_label": MissKind.VISIT_NOT_CONFIRMED.label, "window_label": window})


@transaction.atomic
def close(*, actor: Actor, inspection: Inspection, summary: str, reason: str = "") -> Inspection:
    _require_office(actor)
    same_tenant(actor, inspection)
    if not (summary or "").strip():
        raise ValidationFailed.on("summary", "请填写检查结论。")
    return transitions.apply(inspection, "close", actor=actor, roles=OFFICES, reason=reason, at=clock.now(),
                             summary=summary.strip())
