"""季度报告 (S6, S11, S14): a town's quarterly report as compiled from the records — totals, the second helpers'
attestations, one line per pairing, and what changed since the last submission."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from backend.common.errors import Conflict, NotFound
from backend.directory.models import Person
from workflows.pairings.models import Pairing
from workflows.reporting import services as reporting
from workflows.reporting.models import QuarterlyReport, ReportState

from ..request import Output, Request
from ..tables import Column, Table, cn_date
from .common import town_office

CHANGE = {"added": "新增", "removed": "移除", "changed": "修改"}
FIGURES = {"first_visits": "第一帮扶责任人入户次数", "first_visit_dates": "入户日期", "first_calls": "电话次数",
           "second_visits": "第二帮扶责任人入户次数", "misses": "未履职次数", "deliveries": "节日慰问送达次数",
           "first_helper": "第一帮扶责任人", "second_helper": "第二帮扶责任人", "household": "贫困户", "village": "村"}


def _dates(values) -> str:
    return "、".join(f"{int(v[5:7])}月{int(v[8:10])}日" for v in values)


def lines_table(report: QuarterlyReport, req: Request) -> Table:
    lines = list(report.lines.select_related("village", "household", "first_helper__organisation", "second_helper")
                 .order_by("village__code", "household__code", "pairing_id"))
    rows = []
    for i, line in enumerate(lines, 1):
        rows.append([i, line.village.name, line.household.head_name, line.first_helper.name,
                     line.first_helper.organisation.name, line.first_visits, _dates(line.first_visit_dates),
                     line.first_calls, line.second_helper.name, line.second_visits, line.misses, line.deliveries])
        if i % 100 == 0 or i == len(lines):
            req.progress(i, len(lines))
    totals = ["", "合计", f"{len(lines)}户", "", "", sum(r[5] for r in rows), "", sum(r[7] for r in rows), "",
              sum(r[9] for r in rows), sum(r[10] for r in rows), sum(r[11] for r in rows)]
    return Table(title="三、结对帮扶明细", rows=rows, totals=totals, sheet="明细", columns=[
        Column("序号", 3.5, "center"), Column("村", 6), Column("贫困户", 5.5), Column("第一帮扶\n责任人", 5.5),
        Column("工作单位", 11), Column("入户\n次数", 4, "center", True), Column("入户日期", 12),
        Column("电话\n次数", 4, "center", True), Column("第二帮扶\n责任人", 5.5), Column("第二帮扶责任人\n入户次数", 7, "center", True),
        Column("未履职\n次数", 4.5, "center", True), Column("节日慰问\n送达", 4.5, "center", True)])


def attestations_table(report: QuarterlyReport, tz: str) -> Table:
    done = {a.second_helper_id: a for a in report.attestations.all()}
    helpers = Person.objects.filter(pk__in=report.lines.values("second_helper_id")).order_by("name", "id")
    rows = []
    for i, person in enumerate(helpers, 1):
        a = done.get(person.pk)
        rows.append([i, person.name, person.unit_position,
                     cn_date(a.at.astimezone(ZoneInfo(tz)).date()) if a else "未确认", a.note if a else ""])
    return Table(title="二、第二帮扶责任人确认情况", rows=rows, sheet="确认情况", columns=[
        Column("序号", 4, "center"), Column("第二帮扶责任人", 10), Column("工作单位及职务", 22), Column("确认日期", 12),
        Column("说明", 30)])


def changes_table(report: QuarterlyReport) -> Table | None:
    changes = reporting.changes(report)
    if not changes:
        return None
    names = dict(Pairing.objects.filter(pk__in=[c["pairing"] for c in changes]).values_list("pk", "household__head_name"))
    rows = [[i, names.get(c["pairing"], c["pairing"]), CHANGE[c["change"]],
             "；".join(f"{FIGURES.get(k, k)}：{v['before']}→{v['after']}" for k, v in c["fields"].items())]
            for i, c in enumerate(changes, 1)]
    return Table(title="四、与上次报送相比的变动", rows=rows, sheet="变动", columns=[
        Column("序号", 4, "center"), Column("贫困户", 10), Column("变动", 6), Column("内容", 60)])


def build_quarterly(req: Request) -> Output:
    year, quarter = req.params.quarter
    report = (QuarterlyReport.objects.filter(tenant=req.tenant, town=req.params.town, year=year, quarter=quarter)
              .select_related("town").first())
    if report is None:
        raise NotFound(f"{req.params.town.name}{req.params.quarter_label}的季度报告尚未建立。")
    if report.state == ReportState.OPEN:
        raise Conflict(f"{report} 尚未汇总，汇总后才能生成。")
    tz = req.tenant.time_zone
    lines = lines_table(report, req)
    visited = sum(1 for r in lines.rows if r[5])
    summary = [f"{report.label}，{report.town.name}共有结对帮扶户{len(lines.rows)}户。第一帮扶责任人入户{lines.totals[5]}次、"
               f"电话联系{lines.totals[7]}次，本季度有入户记录的{visited}户；第二帮扶责任人入户{lines.totals[9]}次；"
               f"未履职{lines.totals[10]}次；节日慰问送达{lines.totals[11]}次。以上数据由系统根据走访、电话、慰问及核查记录汇总生成。"]
    if report.override_reason:
        summary.append(f"未全部确认即报送的理由：{report.override_reason}")
    if report.state == ReportState.RETURNED and report.return_reason:
        summary.append(f"市扶贫办退回原因：{report.return_reason}")
    tables = [attestations_table(report, tz), lines]
    changed = changes_table(report)
    if changed:
        tables.append(changed)
    submitted = report.submitted_at.astimezone(ZoneInfo(tz)).date() if report.submitted_at else req.params.on
    title = f"{report.town.name}{report.label}结对帮扶工作报告"
    return Output(title=title, filename=f"季度报告-{report.town.name}-{year}Q{quarter}", issuer=town_office(report.town),
                  issued_on=submitted, template="documents/quarterly.html", orientation="landscape", tables=tables,
                  rows=len(lines.rows), context={"report": report, "summary": summary})
