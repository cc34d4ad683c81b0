"""The escalation queue (问责, S17): the city office issues notices and schedules interviews for helper-level
steps and may withdraw any step with evidence; the leadership group runs unit-level (level 3) steps."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from backend.common.errors import DomainError
from backend.tenancy.roles import Role
from backend.tenancy.scoping import Actor, get_visible
from workflows.accountability import services
from workflows.accountability.models import ESCALATION_OPEN_STATES, Escalation, EscalationState

from .. import history
from ..access import page
from ..errors import attach

ROLES = (Role.CITY_OFFICE, Role.LEADING_GROUP, Role.OPERATOR, Role.UNIT_LIAISON)


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(label="约谈时间", input_formats=["%Y-%m-%dT%H:%M"],
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    where = forms.CharField(label="约谈地点", required=False, max_length=100)
    who = forms.CharField(label="约谈人", required=False, max_length=100)


class NotesForm(forms.Form):
    notes = forms.CharField(label="约谈记录", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    reason = forms.CharField(label="撤销依据", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="证明未履职记录系数据错误的材料")


FORMS = {"schedule_interview": ScheduleForm, "hold_interview": NotesForm, "withdraw": EvidenceForm}
STEPS_BY_STATE = {
    EscalationState.OPEN: ("issue_notice",),
    EscalationState.NOTICE_ISSUED: ("schedule_interview",),
    EscalationState.INTERVIEW_SCHEDULED: ("schedule_interview", "hold_interview"),
    EscalationState.INTERVIEW_HELD: ("close",),
}


def _steps(actor: Actor, escalation: Escalation) -> list[str]:
    steps = list(STEPS_BY_STATE.get(escalation.state, ()))
    if escalation.state in ESCALATION_OPEN_STATES:
        steps.append("withdraw")
    return [s for s in steps if actor.system or actor.has(*services.step_roles(escalation, s))]


def _queue(actor: Actor, level3_only: bool, state: str):
    rows = Escalation.objects.visible_to(actor).select_related("person", "organisation").prefetch_related("misses")
    if level3_only:
        rows = rows.filter(level=3)
    if state == "open":
        rows = rows.filter(state__in=ESCALATION_OPEN_STATES)
    return rows.order_by("-year", "-level", "state", "-id")[:100]


def _page(request, actor: Actor, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    level3_only = actor.has(Role.LEADING_GROUP) and not actor.has(Role.CITY_OFFICE, Role.OPERATOR) \
        or request.GET.get("level") == "3"
    state = request.GET.get("state", "open")
    rows = []
    for e in _queue(actor, level3_only, state):
        steps = _steps(actor, e)
        forms_ = {s: (bound.get((e.pk, s)) or FORMS[s](prefix=f"e{e.pk}-{s}", initial=_initial(e, s)))
                  for s in steps if s in FORMS}
        rows.append({"e": e, "steps": [s for s in steps if s not in FORMS], "forms": forms_,
                     "history": history.rows(e)})
    return render(request, "web/escalations/queue.html", {"rows": rows, "level3_only": level3_only,
                                                          "state": state}, status=status)


def _initial(e: Escalation, step: str) -> dict:
    if step == "schedule_interview" and e.interview_at:
        return {"when": e.interview_at, "where": e.interview_place, "who": e.interviewer}
    return {}


@page(*ROLES)
def queue(request):
    return _page(request, request.actor)


DONE = {"issue_notice": "已下发通报。", "schedule_interview": "已安排约谈，已通知相关人员。",
        "hold_interview": "已记录约谈。", "close": "已办结。", "withdraw": "已撤销问责，相关未履职记录已作废。"}


@page(*ROLES)
@require_POST
def act(request, pk: int, step: str):
    actor: Actor = request.actor
    escalation = get_visible(Escalation.objects.select_related("person", "organisation"), actor, pk)
    if step not in DONE:
        return redirect("web:escalations")
    form = FORMS[step](request.POST, prefix=f"e{pk}-{step}") if step in FORMS else None
    if form is not None and not form.is_valid():
        return _page(request, actor, {(pk, step): form}, status=422)
    try:
        _run(actor, escalation, step, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        if form is None:
            raise  # shown on the refusal page
        attach(form, exc)
        return _page(request, actor, {(pk, step): form}, status=422)
    messages.success(request, f"{escalation.target_name}：{DONE[step]}")
    return redirect("web:escalations")


def _run(actor: Actor, e: Escalation, step: str, data: dict) -> None:
    if step == "issue_notice":
        services.issue_notice(actor=actor, escalation=e)
    elif step == "schedule_interview":
        services.schedule_interview(actor=actor, escalation=e, when=data["when"], where=data["where"], who=data["who"])
    elif step == "hold_interview":
        services.hold_interview(actor=actor, escalation=e, notes=data["notes"])
    elif step == "close":
        services.close(actor=actor, escalation=e)
    elif step == "withdraw":
        services.withdraw(actor=actor, escalation=e, evidence=data["reason"])


