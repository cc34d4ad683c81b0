"""通报 and 约谈通知书 for one escalation step (S17), from the escalation and the misses it counts.

Level 1: the city office informs the helper's unit and interviews the helper. Level 2: the unit criticises the
helper publicly; the helper loses that year's award eligibility. Level 3: the leadership group criticises the
unit and interviews its head. Every number in the text comes from the policy in force.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from backend.common.errors import Conflict, NotFound
from backend.directory.models import OrgKind
from backend.tenancy.models import Policy
from workflows.accountability.models import Escalation, EscalationLevel, EscalationState, MissState

from ..request import Output, Request
from ..tables import Column, Table, cn_date
from .common import office

NOTICE = "《进一步落实建档立卡贫困户帮扶责任人的实施意见》（莱扶贫组发〔2018〕8号）"
RECIPIENTS_OF_THE_NOTICE = "各镇街党(工)委、政府(办事处),市直有关部门,有关企事业单位,有关驻莱单位："
CHANNELS = {"in_person": "入户", "phone": "电话联系"}


def duty_sentence(policy: Policy) -> str:
    """第一帮扶责任人每2个月至少入户1次，每月至少电话联系1次 — from the policy's frequency rules (S8)."""
    parts = [f"{_every(r['months'])}至少{CHANNELS[r['channel']]}1次" for r in policy.rules_for("first")]
    return "第一帮扶责任人" + "，".join(parts)


def _every(months: int) -> str:
    return "每月" if months == 1 else f"每{months}个月"


def _local(value: dt.datetime | None, tz: str) -> dt.datetime | None:
    return value.astimezone(ZoneInfo(tz)) if value else None


def misses_table(escalation: Escalation) -> Table:
    misses = list(escalation.misses.filter(state=MissState.RECORDED)
                  .select_related("person", "household", "town").order_by("window_start", "id"))
    rows = [[i, m.get_kind_display(), m.person.name if m.person else "",
             f"{m.window_start:%Y.%m.%d}—{m.window_end:%Y.%m.%d}" if m.window_start and m.window_end else "",
             f"{m.town.name if m.town else ''}{m.household.head_name if m.household else ''}",
             m.get_source_display()] for i, m in enumerate(misses, 1)]
    return Table(title="未按要求履行帮扶责任情况", rows=rows, columns=[
        Column("序号", 5, "center"), Column("情形", 20), Column("帮扶责任人", 12), Column("考核期", 24),
        Column("帮扶对象", 22), Column("发现途径", 12)])


def _texts(e: Escalation, policy: Policy, count: int) -> dict:
    person, unit, year = e.person, e.organisation, e.year
    if e.level == EscalationLevel.UNIT:
        return {
            "notice_title": f"关于对{unit.name}通报批评的通报",
            "notice_to": RECIPIENTS_OF_THE_NOTICE,
            "facts": f"经核查，{year}年度{unit.name}的第一帮扶责任人中有{count}人次未按要求履行帮扶责任"
                     f"（或帮扶对象在检查中对结对帮扶工作不满意），具体情况如下：",
            "decision": f"根据文件“第一帮扶责任人所在单位有{policy.ladder_unit_misses}人次以上未按要求入户帮扶的，"
                        f"或在各级组织的检查中帮扶对象对结对帮扶工作不满意的，由市扶贫开发领导小组对其所在单位通报批评，"
                        f"约谈其单位主要领导”的规定，市扶贫开发领导小组决定对{unit.name}予以通报批评，"
                        f"并约谈其单位主要领导。请{unit.name}认真反思，立即整改，切实落实帮扶责任。",
            "interview_to": f"{unit.name}主要负责同志：",
            "interview_subject": f"你单位第一帮扶责任人{year}年度未按要求履行帮扶责任",
            "interview_target": "你",
        }
    texts = {
        "facts": f"经核查，{unit.name}{person.name}同志作为第一帮扶责任人，{year}年度存在{count}次未按要求履行帮扶责任"
                 f"的情况，具体如下：",
        "interview_to": f"{person.name}同志：",
        "interview_subject": f"你作为第一帮扶责任人{year}年度未按要求履行帮扶责任",
        "interview_target": "你",
    }
    if e.level == EscalationLevel.HELPER_FIRST:
        texts |= {
            "notice_title": f"关于{person.name}同志未按要求履行帮扶责任的通报",
            "notice_to": f"{unit.name}：",
            "decision": f"根据文件“发现{policy.ladder_level1_misses}次第一帮扶责任人未按要求入户帮扶的，通报至其所在单位，"
                        f"约谈帮扶责任人本人”的规定，现将有关情况通报你单位，并约谈{person.name}同志本人。"
                        f"请你单位督促其立即整改，切实履行帮扶责任。",
        }
    else:
        texts |= {
            "notice_title": f"关于对{person.name}同志未按要求入户帮扶的通报批评",
            "notice_to": "本单位全体干部职工：",
            "decision": f"根据文件“{policy.ladder_level2_misses}次未按要求入户帮扶的，由其工作单位对其公开通报批评，"
                        f"并取消其年度评先树优资格”的规定，决定对{person.name}同志予以公开通报批评"
                        + (f"，并取消其{year}年度评先树优资格" if e.loses_award_eligibility else "")
                        + "。希望全体帮扶责任人引以为戒，切实履行帮扶责任。",
        }
    return texts


def build_notice(req: Request) -> Output:
    e = (Escalation.objects.filter(tenant=req.tenant, pk=req.params.subject_id)
         .select_related("person__organisation", "organisation").first())
    if e is None:
        raise NotFound("未找到该问责记录。")
    if e.state == EscalationState.WITHDRAWN:
        raise Conflict("该问责已撤销，不再生成通报和约谈通知书。")
    tz = req.tenant.time_zone
    issued = _local(e.notice_issued_at, tz)
    issued_on = issued.date() if issued else req.params.on
    policy = Policy.current(req.tenant, issued_on)
    table = misses_table(e)
    req.progress(len(table.rows), len(table.rows))
    if e.level == EscalationLevel.UNIT:
        notice_issuer = interview_issuer = office(req.tenant, OrgKind.LEADING_GROUP)
    elif e.level == EscalationLevel.HELPER_SECOND:
        notice_issuer, interview_issuer = e.organisation.name, office(req.tenant)
    else:
        notice_issuer = interview_issuer = office(req.tenant)
    when = _local(e.interview_at, tz)
    return Output(
        title="通报及约谈通知书", filename=f"问责-{e.year}-{e.get_level_display()[:2]}-{e.target_name}",
        issuer=notice_issuer, issued_on=issued_on, template="documents/notice.html", rows=len(table.rows),
        tables=[table],
        context={
            "e": e, "basis": NOTICE, "duty": duty_sentence(policy), "count": len(table.rows),
            "interview_issuer": interview_issuer, "issued_cn": cn_date(issued_on),
            "interview_when": f"{cn_date(when.date())}{when:%H:%M}" if when else "",
            **_texts(e, policy, len(table.rows)),
        },
    )
