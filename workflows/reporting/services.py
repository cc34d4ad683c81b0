"""Quarterly report services (S6, S11, S14): open, compile from records, attest, submit (attestations
complete, or the town office overrides with a reason), approve or return, reopen named villages."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from backend.common import clock
from backend.common.errors import Forbidden, TransitionNotAllowed, ValidationFailed
from backend.directory.models import Organisation, OrgKind, Person, Village
from backend.tenancy.models import Policy
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor
from notifications.services import notify
from workflows.core import recipients, transitions
from workflows.engine.workdays import submitted_late

from .compile import build_lines, diff
from .models import Attestation, QuarterlyReport, ReportLine, ReportState, Submission, quarter_bounds

TOWN_SIDE = (Role.OPERATOR, Role.TOWN_OFFICE)
CITY_SIDE = (Role.OPERATOR, Role.CITY_OFFICE)


def _check_town(actor: Actor, report: QuarterlyReport) -> None:
    if not actor.tenant_wide and getattr(actor.organisation, "pk", None) != report.town_id:
        raise Forbidden("只能处理本镇街的季度报告。")


def due_on(tenant, year: int, quarter: int) -> dt.date:
    end = quarter_bounds(year, quarter)[1]
    return end + dt.timedelta(days=Policy.current(tenant, end).quarterly_report_due_days)


@transaction.atomic
def open_report(*, actor: Actor, town: Organisation, year: int, quarter: int) -> QuarterlyReport:
    """The town's report for the quarter, created if absent (idempotent: the engine may open every town's)."""
    if not actor.system and not actor.has(Role.OPERATOR, Role.CITY_OFFICE, Role.TOWN_OFFICE):
        raise Forbidden("只有镇街扶贫办或市扶贫办可以建立季度报告。")
    if town.tenant_id != actor.tenant.pk or town.kind != OrgKind.TOWN:
        raise ValidationFailed.on("town", "镇街不存在。")
    if quarter not in (1, 2, 3, 4):
        raise ValidationFailed.on("quarter", "季度只能是1至4。")
    if not actor.tenant_wide and getattr(actor.organisation, "pk", None) != town.pk:
        raise Forbidden("只能建立本镇街的季度报告。")
    report, created = QuarterlyReport.objects.get_or_create(
        tenant=actor.tenant, town=town, year=year, quarter=quarter,
        defaults={"due_on": due_on(actor.tenant, year, quarter)})
    if created:
        transitions.log_creation(report, actor=actor, data={"due_on": report.due_on.isoformat()})
    return report


def _refresh_lines(report: QuarterlyReport, village_ids: list[int] | None) -> list[int]:
    """Replace the lines (of the named villages only, when given); returns the second helpers whose lines
    were rebuilt, whose attestations no longer stand."""
    old = ReportLine.objects.filter(report=report)
    if village_ids is not None:
        old = old.filter(village_id__in=village_ids)
    lines = build_lines(report, village_ids)
    touched = set(old.values_list("second_helper_id", flat=True)) | {line.second_helper_id for line in lines}
    old.delete()
    ReportLine.objects.bulk_create(lines)
    Attestation.objects.filter(report=report, second_helper_id__in=touched).delete()
    return sorted(touched)


def _reopened(report: QuarterlyReport) -> list[int] | None:
    ids = list(report.reopened_villages.values_list("pk", flat=True))
    return ids or None


@transaction.atomic
def compile_report(*, actor: Actor, report: QuarterlyReport, reason: str = "") -> QuarterlyReport:
    """Gather the quarter from the records. After a return, only the reopened villages are gathered again."""
    _check_town(actor, report)
    villages = _reopened(report)
    transitions.apply(report, "compile", actor=actor, roles=TOWN_SIDE, reason=reason,
                      data={"villages": villages}, at=clock.now())
    _refresh_lines(report, villages)
    return report


def missing_attestations(report: QuarterlyReport) -> list[Person]:
    expected = set(report.lines.values_list("second_helper_id", flat=True))
    done = set(report.attestations.values_list("second_helper_id", flat=True))
    return list(Person.objects.filter(pk__in=expected - done).order_by("name", "id"))


@transaction.atomic
def attest(*, actor: Actor, report: QuarterlyReport, note: str = "") -> Attestation:
    """The second helper confirms the figures of the first helpers they supervise in this report."""
    if not actor.has(Role.SECOND_HELPER) or actor.person is None:
        raise Forbidden("只有第二帮扶责任人可以确认季度考勤。")
    locked = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
    if locked.state != ReportState.COMPILED:
        raise TransitionNotAllowed(f"季度报告状态为“{locked.get_state_display()}”，只有已汇总的报告可以确认。")
    if not report.lines.filter(second_helper=actor.person).exists():
        raise Forbidden("该报告中没有您联系的第一帮扶责任人。")
    attestation, created = Attestation.objects.get_or_create(
        report=report, second_helper=actor.person,
        defaults={"tenant": report.tenant, "note": note, "by": actor.user, "at": clock.now()})
    if created:
        transitions.log_event(report, "attest", actor=actor, reason=note, data={"second_helper": actor.person.pk})
    return attestation


def _snapshot(report: QuarterlyReport) -> dict[str, dict]:
    return {str(line.pairing_id): line.snapshot() for line in report.lines.all()}


@transaction.atomic
def submit(*, actor: Actor, report: QuarterlyReport, override_reason: str = "") -> QuarterlyReport:
    """Refused while a second helper has not attested, unless the town office gives a reason to override."""
    _check_town(actor, report)
    missing = missing_attestations(report) if report.state == ReportState.COMPILED else []
    override_reason = (override_reason or "").strip()
    if missing and not override_reason:
        names = "、".join(p.name for p in missing)
        message = f"尚有{len(missing)}名第二帮扶责任人未确认季度考勤：{names}。如需先行报送，请说明理由。"
        raise ValidationFailed(message, fields={"attestations": [message]})
    now = clock.now()
    today = clock.local_today(actor.tenant.time_zone)
    late = submitted_late(today, report.due_on, Policy.current(actor.tenant, today))
    transitions.apply(report, "submit", actor=actor, roles=TOWN_SIDE, reason=override_reason,
                      data={"late": late, "missing_attestations": [p.pk for p in missing]},
                      at=now, late=late, override_reason=override_reason if missing else "")
    Submission.objects.create(tenant=report.tenant, report=report, revision=report.revision, submitted_at=now,
                              lines=_snapshot(report), override_reason=report.override_reason,
                              attested_by=sorted(report.attestations.values_list("second_helper_id", flat=True)))
    report.reopened_villages.clear()
    return report


@transaction.atomic
def approve(*, actor: Actor, report: QuarterlyReport, reason: str = "") -> QuarterlyReport:
    return transitions.apply(report, "approve", actor=actor, roles=CITY_SIDE, reason=reason, at=clock.now())


@transaction.atomic
def return_to_town(*, actor: Actor, report: QuarterlyReport, reason: str) -> QuarterlyReport:
    if not (reason or "").strip():
        raise ValidationFailed.on("reason", "退回季度报告须说明原因。")
    transitions.apply(report, "return_to_town", actor=actor, roles=CITY_SIDE, reason=reason, at=clock.now(),
                      why=reason.strip())
    notify(tenant=report.tenant, recipients=recipients.for_organisation(report.town), kind="report_returned",
           key=f"report:{report.pk}:returned:{report.revision}", obj=report,
           context={"town_name": report.town.name, "quarter_label": report.label, "reason": report.return_reason})
    return report


@transaction.atomic
def reopen(*, actor: Actor, report: QuarterlyReport, villages: list[Village], reason: str = "") -> QuarterlyReport:
    """A returned report is corrected for the named villages only; their lines are gathered again and their
    second helpers attest again. Other villages' lines stay as submitted."""
    _check_town(actor, report)
    if not villages:
        raise ValidationFailed.on("villages", "请选择需要修改的村。")
    foreign = [v.name for v in villages if v.town_id != report.town_id]
    if foreign:
        raise ValidationFailed.on("villages", f"{'、'.join(foreign)}不属于{report.town.name}。")
    ids = sorted(v.pk for v in villages)
    transitions.apply(report, "reopen", actor=actor, roles=TOWN_SIDE, reason=reason, data={"villages": ids},
                      at=clock.now())
    report.reopened_villages.set(ids)
    _refresh_lines(report, ids)
    return report


def changes(report: QuarterlyReport) -> list[dict]:
    """What changed since the last submission: the current lines against the latest snapshot before them."""
    submissions = list(report.submissions.order_by("-revision")[:2])
    if not submissions:
        return []
    if report.state in (ReportState.SUBMITTED, ReportState.APPROVED):
        if len(submissions) < 2:
            return []
        return diff(submissions[1].lines, submissions[0].lines)
    return diff(submissions[0].lines, _snapshot(report))
