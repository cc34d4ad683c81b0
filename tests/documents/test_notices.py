"""S17: the criticism notice (通报) and the interview notice (约谈通知书) of each escalation level."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from backend.common.errors import Conflict, NotFound
from backend.documents import services
from backend.tenancy.scoping import Actor
from workflows.accountability import services as accountability
from workflows.accountability.models import Miss

from .conftest import assert_good_pdf


def miss(cast, paired, n: int, start: dt.date) -> Miss:
    end = (start.replace(day=28) + dt.timedelta(days=35)).replace(day=1) - dt.timedelta(days=1)
    return Miss.objects.create(tenant=cast.tenant, key=f"visit:test:{n}", kind="visit", year=2018, pairing=paired,
                               person=cast.first_helper, role="first", organisation=cast.unit, town=cast.town,
                               household=cast.household, window_start=start, window_end=end, policy_version=1)


def escalate(cast, level, misses, **target):
    return accountability.open_escalation(tenant=cast.tenant, level=level, year=2018, misses=misses,
                                          actor=Actor.system_for(cast.tenant), **target)


def render(cast, escalation, role="city_office", on="2018-07-10"):
    rendered, _ = services.render(actor=cast.actor(role), kind="notice", raw={"subject": escalation.pk, "on": on})
    return rendered


def test_s17_level_one_notice_to_the_unit_and_interview_of_the_helper(cast, paired, tmp_path):
    e = escalate(cast, 1, [miss(cast, paired, 1, dt.date(2018, 5, 1))], person=cast.first_helper)
    office = cast.actor("city_office")
    accountability.issue_notice(actor=office, escalation=e)
    accountability.schedule_interview(actor=office, escalation=e, where="市扶贫办会议室", who="市扶贫办主任",
                                      when=dt.datetime(2018, 7, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    e.refresh_from_db()
    rendered = render(cast, e)
    assert rendered.pages == 2
    assert_good_pdf(rendered, tmp_path, "notice-level1", [
        "关于李明同志未按要求履行帮扶责任的通报", "莱州市财政局：", "第一帮扶责任人每2个月至少入户1次，每月至少电话联系1次",
        "莱扶贫组发〔2018〕8号", "未按要求入户走访", "2018.05.01—2018.06.30", "城港路街道张德福", "时限核查",
        "发现1次第一帮扶责任人未按要求入户帮扶的", "约谈李明同志本人", "约谈通知书", "李明同志：",
        "在市扶贫办会议室对你进行约谈", "约谈人：市扶贫办主任", "09:30", "特此通知。", "莱州市扶贫办"])


def test_s17_level_two_public_criticism_by_the_unit_and_award_eligibility(cast, paired, tmp_path):
    misses = [miss(cast, paired, 1, dt.date(2018, 5, 1)), miss(cast, paired, 2, dt.date(2018, 7, 1))]
    e = escalate(cast, 2, misses, person=cast.first_helper)
    rendered = render(cast, e, role="unit_liaison")
    assert_good_pdf(rendered, tmp_path, "notice-level2", [
        "关于对李明同志未按要求入户帮扶的通报批评", "本单位全体干部职工：", "2次未按要求入户帮扶的",
        "并取消其2018年度评先树优资格", "莱州市财政局", "约谈时间、地点另行通知"])


def test_s17_level_three_leadership_group_criticises_the_unit(cast, paired, tmp_path):
    misses = [miss(cast, paired, n, dt.date(2018, m, 1)) for n, m in ((1, 3), (2, 5), (3, 7))]
    e = escalate(cast, 3, misses, organisation=cast.unit)
    rendered = render(cast, e, role="leading_group")
    assert_good_pdf(rendered, tmp_path, "notice-level3", [
        "关于对莱州市财政局通报批评的通报", "各镇街党(工)委、政府(办事处),市直有关部门,有关企事业单位,有关驻莱单位：",
        "有3人次未按要求履行帮扶责任", "3人次以上未按要求入户帮扶的", "约谈其单位主要领导", "莱州市财政局主要负责同志：",
        "莱州市扶贫开发领导小组"])


def test_notices_follow_who_may_see_the_escalation_and_not_when_withdrawn(cast, paired):
    e = escalate(cast, 1, [miss(cast, paired, 1, dt.date(2018, 5, 1))], person=cast.first_helper)
    with pytest.raises(NotFound):
        render(cast, e, role="second_helper")
    render(cast, e, role="first_helper")
    accountability.withdraw(actor=cast.actor("city_office"), escalation=e, evidence="走访记录补录后核实无误")
    with pytest.raises(Conflict, match="已撤销"):
        render(cast, e)
