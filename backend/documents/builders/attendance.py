"""A3 第一帮扶责任人帮扶工作考勤表: per town per quarter, each first helper's visits and calls, from the
visit records (S14) — the sheet the second helpers compile, generated instead of typed."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from backend.fieldwork.models import Channel, HelperRole, Visit
from workflows.pairings.models import Pairing

from ..request import Output, Request
from ..tables import Column, Table
from .common import town_office

A3_COLUMNS = [
    Column("序号", 4, "center"),
    Column("贫困户姓名", 8),
    Column("家庭地址\n(村)", 10),
    Column("第一帮扶\n责任人姓名", 8),
    Column("工作单位及职务", 16),
    Column("联系方式", 10),
    Column("帮扶记录", 44),
]
NOTE = "注:此表由第二帮扶责任人负责填写汇总,每季度末定期上报镇街扶贫办,由镇街扶贫办汇总后报市扶贫办。"


def _days(dates) -> str:
    return "、".join(f"{d.month}月{d.day}日" for d in dates)


def record_text(visits: list) -> str:
    """入户2次：4月12日、6月3日；电话3次：…；第二帮扶责任人已确认入户2次."""
    if not visits:
        return "本季度无入户、电话记录"
    by_channel = defaultdict(list)
    for v in visits:
        by_channel[v.channel].append(v.occurred_on)
    parts = [f"{'入户' if channel == Channel.IN_PERSON else '电话'}{len(days)}次：{_days(sorted(days))}"
             for channel, days in sorted(by_channel.items(), key=lambda kv: kv[0] != Channel.IN_PERSON)]
    confirmed = sum(1 for v in visits if v.channel == Channel.IN_PERSON and v.confirmed_by_id)
    if confirmed:
        parts.append(f"第二帮扶责任人已确认入户{confirmed}次")
    return "；".join(parts)


def build_a3(req: Request) -> Output:
    town, (start, end) = req.params.town, req.params.quarter_span
    pairings = list(Pairing.objects.filter(tenant=req.tenant, household__village__town=town, proposed_on__lte=end)
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
                    .select_related("household__village", "first_helper__organisation")
                    .order_by("household__village__code", "household__code", "proposed_on", "id"))
    visits = defaultdict(list)
    for v in (Visit.objects.filter(tenant=req.tenant, pairing__in=[p.pk for p in pairings], role=HelperRole.FIRST,
                                   occurred_on__range=(start, end)).valid()
              .only("pairing_id", "channel", "occurred_on", "confirmed_by_id").order_by("occurred_on", "id")):
        visits[v.pairing_id].append(v)
    rows = []
    for i, p in enumerate(pairings, 1):
        helper = p.first_helper
        rows.append([i, p.household.head_name, p.household.village.name, helper.name, helper.unit_position,
                     req.personal.phone(helper.phone, f"directory.Person:{helper.pk}"), record_text(visits[p.pk])])
        if i % 100 == 0 or i == len(pairings):
            req.progress(i, len(pairings))
    table = Table(title="第一帮扶责任人帮扶工作考勤表", columns=A3_COLUMNS, rows=rows, notes=[NOTE],
                  meta=[("镇（街）", town.name), ("季度", req.params.quarter_label)], sheet="考勤表")
    year, quarter = req.params.quarter
    return Output(title=table.title, filename=f"附件3-第一帮扶责任人帮扶工作考勤表-{town.name}-{year}Q{quarter}",
                  issuer=town_office(town), issued_on=req.params.on, orientation="landscape", tables=[table],
                  rows=len(rows), context={"attachment": "附件3"})
