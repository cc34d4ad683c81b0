"""Plans-area data of a seeded tenant: reference data (the poverty lines by year and standard, with their
sources and unverified numbers marked; the 附件2 income lines for each programme year), a published help plan
for every active pairing, and the year's holiday campaigns. With `until` (the demo's visits-until date), the
campaigns whose delivery deadline has passed by then are started and mostly delivered, with receipts.
Bulk inserts with their log rows, so large seeds stay fast."""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from importlib import resources

from django.contrib.contenttypes.models import ContentType

from backend.fieldwork.models import SignMethod
from backend.tenancy.models import Policy, Tenant
from backend.tenancy.scoping import Actor
from workflows.core.models import TransitionLog
from workflows.deliveries import services as deliveries
from workflows.deliveries.festivals import Festival, date_of
from workflows.deliveries.models import CampaignState, Delivery, DeliveryCampaign
from workflows.income import lines as income_lines
from workflows.income.models import PovertyLine
from workflows.pairings.models import Pairing, PairingState
from workflows.plans.models import HelpPlan, PlanItem, PlanState

from .seed_visits import _signature

BATCH = 2000
# Measures a first helper would plan for a household's main cause of poverty (cause code → measure codes).
MEASURES_BY_CAUSE = {
    "1": ("06", "10"), "2": ("10", "04"), "3": ("05",), "4": ("07", "10"), "5": ("01", "02"), "6": ("09",),
    "7": ("05", "02"), "8": ("10", "04"), "9": ("08", "01"), "10": ("09",), "11": ("11", "02"), "12": ("10",),
    "99": ("14",),
}
ITEMS = {
    "01": ("发展庭院种植、养殖", "年增收约2000元", "2000"), "02": ("推荐到本地企业务工", "年工资性收入约8000元", "8000"),
    "04": ("安排保洁公益岗位", "月收入500元", "6000"), "05": ("落实教育资助、雨露计划", "子女顺利完成学业", None),
    "06": ("办理慢性病卡，签约家庭医生", "门诊、住院报销比例提高", None), "07": ("危房改造", "住房安全有保障", None),
    "08": ("协调扶贫小额信贷", "扩大生产经营", None), "09": ("改善入户路和安全饮水", "生活条件改善", None),
    "10": ("落实低保、临时救助", "基本生活有保障", None), "11": ("扶志教育，鼓励参加技能培训", "增强脱贫信心", None),
    "14": ("帮助协调家庭问题", "家庭和睦", None),
}
HEADLINES = {"01": "产业增收", "02": "稳定就业", "04": "公益岗位", "05": "教育扶贫", "06": "健康扶贫", "07": "住房保障",
             "08": "金融支持", "09": "改善生活条件", "10": "兜底保障", "11": "扶志扶智", "14": "综合帮扶"}
CAMPAIGNS = ((Festival.DUANWU, "粽子、食用油", "120000"), (Festival.ZHONGQIU, "月饼、大米", "150000"),
             (Festival.CHUNJIE, "米、面、油及春联", "200000"))


def reference(tenant: Tenant, policy: Policy) -> None:
    text = resources.files("backend.bangfu").joinpath("data/poverty-lines.csv").read_text("utf-8")
    PovertyLine.objects.bulk_create([
        PovertyLine(tenant=tenant, year=int(r["year"]), standard=r["standard"], amount=Decimal(r["amount"]),
                    verified=r["verified"] == "true", source=r["source"]) for r in csv.DictReader(text.splitlines())])
    for year in range(2017, policy.programme_end.year + 1):
        income_lines.define(tenant, year, income_lines.annex2()["lines"])


def help_plans(tenant: Tenant, policy: Policy) -> int:
    """A published first version for every active pairing, written a week after the first meeting, with the
    measures that fit the household's main cause of poverty."""
    pairings = list(Pairing.objects.filter(tenant=tenant, state=PairingState.ACTIVE).select_related("household"))
    plans = [HelpPlan(tenant=tenant, pairing=p, household_id=p.household_id, version=1, state=PlanState.PUBLISHED,
                      headline="、".join(HEADLINES[m] for m in _measures(p)), published_on=p.met_on + dt.timedelta(days=7))
             for p in pairings]
    HelpPlan.objects.bulk_create(plans, batch_size=BATCH)
    rows = []
    for plan, p in zip(plans, pairings, strict=True):
        for order, measure in enumerate(_measures(p), start=1):
            content, benefit, amount = ITEMS[measure]
            rows.append(PlanItem(tenant=tenant, plan=plan, order=order, measure=measure, content=content,
                                 expected_benefit=benefit, expected_amount=Decimal(amount) if amount else None,
                                 starts_on=plan.published_on, ends_on=policy.programme_end))
    PlanItem.objects.bulk_create(rows, batch_size=BATCH)
    _log(tenant, policy, plans, (("create", "", "draft"), ("publish", "draft", "published")))
    return len(plans)


def _measures(pairing: Pairing) -> tuple[str, ...]:
    return MEASURES_BY_CAUSE.get(pairing.household.main_cause, ("14",))


def campaigns(tenant: Tenant, policy: Policy, *, year: int, until: dt.date | None, seed: int) -> dict:
    """The year's campaigns, planned by the city office; those due by `until` delivered (about 95 %)."""
    actor = Actor.system_for(tenant)
    out = {"campaigns": 0, "deliveries": 0, "delivered": 0}
    rng = random.Random(seed)
    for festival, goods, budget in CAMPAIGNS:
        deliver_by = date_of(festival, year) - dt.timedelta(days=1)
        campaign = deliveries.plan(actor=actor, year=year, festival=festival, goods=goods, budget=budget,
                                   starts_on=deliver_by - dt.timedelta(days=14), deliver_by=deliver_by,
                                   funding="扶贫专项资金")
        out["campaigns"] += 1
        if until is None or until <= deliver_by:
            continue
        out["deliveries"] += deliveries.add_deliveries(campaign)
        DeliveryCampaign.objects.filter(pk=campaign.pk).update(state=CampaignState.DELIVERING)
        _log(tenant, policy, [campaign], (("start", "planned", "delivering"),))
        out["delivered"] += _deliver(campaign, rng)
    return out


def _deliver(campaign: DeliveryCampaign, rng: random.Random) -> int:
    signature = _signature(campaign.pk)
    done = []
    for d in Delivery.objects.filter(campaign=campaign).select_related("household"):
        if rng.random() < 0.05:
            continue
        d.delivered_on = campaign.starts_on + dt.timedelta(days=rng.randint(0, (campaign.deliver_by - campaign.starts_on).days))
        d.goods, d.receipt_sign_method, d.receipt_signer_name = campaign.goods, SignMethod.SIGNATURE, d.household.head_name
        d.receipt_signature, d.receipt_content_type = signature.data, "image/png"
        done.append(d)
    Delivery.objects.bulk_update(done, ["delivered_on", "goods", "receipt_sign_method", "receipt_signer_name",
                                        "receipt_signature", "receipt_content_type"], batch_size=BATCH)
    return len(done)


def _log(tenant: Tenant, policy: Policy, objs: list, steps) -> None:
    if not objs:
        return
    ct = ContentType.objects.get_for_model(objs[0])
    actor = str(Actor.system_for(tenant))
    TransitionLog.objects.bulk_create(
        [TransitionLog(tenant=tenant, content_type=ct, object_id=o.pk, transition=name, from_state=a, to_state=b,
                       actor_label=actor, reason="演示数据", policy_version=policy.version)
         for o in objs for name, a, b in steps], batch_size=BATCH)
