"""The demo tenant's plans-area data: poverty lines with sources (unverified ones marked), the 附件2 lines per
programme year, a published plan per active pairing, the 2018 campaigns with deliveries up to the demo date."""

import datetime as dt

from backend.bangfu.seed import seed
from backend.tenancy.models import Tenant
from workflows.deliveries.models import Delivery, DeliveryCampaign
from workflows.income.models import IncomeLine, PovertyLine
from workflows.pairings.models import Pairing
from workflows.plans import selectors
from workflows.plans.models import HelpPlan


def test_s5_s16_a4_seeded_reference_plans_and_campaigns(db):
    seed(households=60, seed=3, visits_until=dt.date(2018, 7, 1))
    tenant = Tenant.objects.get(code="370683")
    lines = PovertyLine.objects.filter(tenant=tenant)
    assert lines.get(year=2018, standard="01").amount == 3535 and not lines.filter(verified=True).exists()
    assert all(line.source for line in lines) and "未能核实" in lines.get(year=2018, standard="02").source
    assert sorted(set(IncomeLine.objects.filter(tenant=tenant).values_list("year", flat=True))) == [2017, 2018, 2019, 2020]
    assert IncomeLine.objects.filter(tenant=tenant, year=2018).count() == 25
    active = Pairing.objects.filter(tenant=tenant, state="active")
    assert HelpPlan.objects.filter(tenant=tenant, state="published").count() == active.count() > 0
    shown = selectors.published_plans(active.values_list("pk", flat=True))
    assert all(plan["measures"] and plan["headline"] for plan in shown.values())
    campaigns = {c.festival: c for c in DeliveryCampaign.objects.filter(tenant=tenant)}
    assert {f: c.festival_on for f, c in campaigns.items()} == {
        "duanwu": dt.date(2018, 6, 18), "zhongqiu": dt.date(2018, 9, 24), "chunjie": dt.date(2019, 2, 5)}
    assert (campaigns["duanwu"].state, campaigns["zhongqiu"].state) == ("delivering", "planned")
    done = Delivery.objects.filter(campaign=campaigns["duanwu"])
    assert done.count() == active.count()
    delivered = done.exclude(delivered_on=None)
    assert delivered.count() >= 0.8 * done.count()
    assert not delivered.filter(delivered_on__gt=dt.date(2018, 6, 17)).exists()
    assert not delivered.filter(receipt_signature=None).exists()
