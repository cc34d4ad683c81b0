"""List exports (households, pairings, misses): what the requester may see, masked unless revealed."""

from __future__ import annotations

from backend.households.models import Household, Member
from workflows.accountability.models import Miss
from workflows.pairings.models import Pairing

from ..request import Output, Request
from ..tables import Column, Table
from .common import CodeLabels, office

STEP = 500


def _town_filter(req: Request, path: str) -> dict:
    return {path: req.params.town} if req.params.town is not None else {}


def _output(req: Request, table: Table, name: str) -> Output:
    scope = req.params.town.name if req.params.town is not None else req.tenant.name
    table.meta = [("范围", scope)]
    return Output(title=table.title, filename=f"{name}-{scope}-{req.params.on:%Y%m%d}",
                  issuer=req.actor.organisation.name if req.actor.organisation else office(req.tenant),
                  issued_on=req.params.on, orientation="landscape", tables=[table], rows=len(table.rows))


def _rows(req: Request, items, make) -> list[list]:
    rows, total = [], len(items)
    for i, item in enumerate(items, 1):
        rows.append([i, *make(item)])
        if i % STEP == 0 or i == total:
            req.progress(i, total)
    return rows


def build_households(req: Request) -> Output:
    households = list(Household.objects.visible_to(req.actor).filter(**_town_filter(req, "village__town"))
                      .select_related("village__town").order_by("village__code", "code", "id"))
    heads = dict(Member.objects.filter(household__in=[h.pk for h in households], relation="01")
                 .values_list("household_id", "id_number"))
    codes = CodeLabels("status", "attribute", "cause")
    pd = req.personal

    def make(h):
        subject = f"households.Household:{h.pk}"
        return [h.code, h.head_name, pd.id_number(heads.get(h.pk), subject, "members.id_number"),
                pd.phone(h.phone, subject), h.village.town.name, h.village.name, h.size, codes("status", h.status),
                codes("attribute", h.attribute), codes("cause", h.main_cause),
                "、".join(codes.many("cause", h.other_causes)), h.identified_year, h.exited_year or ""]

    columns = [Column("序号", 4, "center"), Column("户编号", 12), Column("户主姓名", 6), Column("户主证件号码", 13),
               Column("联系电话", 9), Column("镇街", 8), Column("村", 7), Column("家庭人口数", 5, "center", True),
               Column("脱贫状态", 9), Column("贫困户属性", 9), Column("主要致贫原因", 7), Column("其他致贫原因", 9),
               Column("识别年度", 5, "center", True), Column("脱贫年度", 5, "center", True)]
    return _output(req, Table("贫困户名单", columns, _rows(req, households, make), sheet="贫困户名单"), "贫困户名单")


def build_pairings(req: Request) -> Output:
    pairings = list(Pairing.objects.visible_to(req.actor).filter(**_town_filter(req, "household__village__town"))
                    .select_related("household__village__town", "first_helper__organisation",
                                    "second_helper__organisation")
                    .order_by("household__village__code", "household__code", "proposed_on", "id"))
    pd = req.personal

    def make(p):
        h = p.household
        return [h.head_name, h.code, h.village.town.name, h.village.name,
                p.first_helper.name, p.first_helper.unit_position,
                pd.phone(p.first_helper.phone, f"directory.Person:{p.first_helper_id}"),
                p.second_helper.name, p.second_helper.unit_position,
                pd.phone(p.second_helper.phone, f"directory.Person:{p.second_helper_id}"),
                p.get_state_display(), p.proposed_on, p.met_on or "", p.ended_on or "", p.get_end_reason_display()]

    columns = [Column("序号", 4, "center"), Column("贫困户姓名", 6), Column("户编号", 12), Column("镇街", 8),
               Column("村", 7), Column("第一帮扶责任人", 6), Column("工作单位及职务", 14), Column("联系电话", 9),
               Column("第二帮扶责任人", 6), Column("工作单位及职务", 14), Column("联系电话", 9), Column("状态", 5),
               Column("结对日期", 8), Column("见面日期", 8), Column("结束日期", 8), Column("结束原因", 8)]
    return _output(req, Table("结对名单", columns, _rows(req, pairings, make), sheet="结对名单"), "结对名单")


def build_misses(req: Request) -> Output:
    misses = list(Miss.objects.visible_to(req.actor).filter(**_town_filter(req, "town"))
                  .select_related("person", "organisation", "town", "household")
                  .order_by("year", "window_start", "kind", "id"))
    roles = {"first": "第一帮扶责任人", "second": "第二帮扶责任人"}

    def make(m):
        return [m.get_kind_display(), m.get_source_display(), m.get_state_display(), m.year,
                m.person.name if m.person else "", roles.get(m.role, ""),
                m.organisation.name if m.organisation else "", m.town.name if m.town else "",
                m.household.head_name if m.household else "", m.window_start or "", m.window_end or "",
                "是" if m.counts_for_ladder else "否"]

    columns = [Column("序号", 4, "center"), Column("类型", 10), Column("来源", 6), Column("状态", 5),
               Column("考核年度", 5, "center", True), Column("帮扶责任人", 6), Column("帮扶角色", 8),
               Column("责任单位", 12), Column("镇街", 8), Column("贫困户", 6), Column("考核期起", 8),
               Column("考核期止", 8), Column("计入问责", 5, "center")]
    return _output(req, Table("未履职记录", columns, _rows(req, misses, make), sheet="未履职记录"), "未履职记录")
