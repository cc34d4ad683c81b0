"""村级公示 (S12): the responsibility list of one village, for the village notice board.

Only the whitelisted fields of SPEC §8 are read into the document: head's name, village, household size,
status, causes, helper name and unit, and the headline of the published help plan. No ID number, phone, member
or income appears. The head's name is printed whole, as village posters do (DOMAIN §5.3; `masking.mask_name`
is for online copies).
"""

from __future__ import annotations

from backend.directory.models import TownContact
from workflows.plans.selectors import headlines

from ..request import Output, Request
from ..tables import Column, Table
from .common import CodeLabels, town_office
from .ledger import by_household, households_on, pairings_on

COLUMNS = [Column("序号", 3.5, "center"), Column("户主姓名", 7), Column("所在村", 8),
           Column("家庭人口", 7, "center", True), Column("脱贫状态", 16), Column("致贫原因", 12),
           Column("第一帮扶\n责任人", 7), Column("工作单位", 15), Column("第二帮扶\n责任人", 7), Column("工作单位", 15),
           Column("帮扶计划", 22)]


def build_disclosure(req: Request) -> Output:
    village, on = req.params.village, req.params.on
    town = village.town
    pairings = by_household(pairings_on(req.tenant, on, household__village=village))
    households = list(households_on(req.tenant, on, list(pairings), village=village))
    codes = CodeLabels("status", "cause")
    plans = headlines(h.pk for h in households)
    rows = []
    for i, h in enumerate(households, 1):
        p = pairings.get(h.pk)
        first, second = (p.first_helper, p.second_helper) if p else (None, None)
        rows.append([i, h.head_name, village.name, h.size, codes("status", h.status),
                     "、".join(codes.many("cause", h.causes)),
                     first.name if first else "（待落实）", first.organisation.name if first else "",
                     second.name if second else "（待落实）", second.organisation.name if second else "",
                     plans.get(h.pk, "")])
    req.progress(len(rows), len(rows))
    phones = sorted({c.office_phone for c in TownContact.objects.filter(tenant=req.tenant, town=town)
                     if c.office_phone})
    notes = ["对第一帮扶责任人逐户制定的帮扶责任清单和帮扶责任落实情况，以村为单位公开接受群众监督评议。",
             f"如对公示内容有异议，请向{town_office(town)}反映" + (f"，监督电话：{'、'.join(phones)}。" if phones else "。")]
    table = Table(title=f"{village.name}结对帮扶责任公示", columns=COLUMNS, rows=rows, notes=notes,
                  meta=[("镇（街）", town.name), ("村", village.name)], sheet="结对帮扶责任公示")
    return Output(title=table.title, filename=f"村级公示-{town.name}{village.name}-{on:%Y%m%d}",
                  issuer=town_office(town), issued_on=on, orientation="landscape", tables=[table], rows=len(rows))
