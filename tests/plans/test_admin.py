"""Operators see the plans area in the admin; workflow records are read only there."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from workflows.deliveries import services as deliveries
from workflows.income.models import PovertyLine
from workflows.inspections import services as inspections
from workflows.plans import services as plans

pytestmark = pytest.mark.usefixtures("today")


def test_operators_see_the_plans_area_in_the_admin(cast, pairing):
    office = cast.actor("city_office")
    plan = plans.create(actor=office, pairing=pairing, headline="种植增收", items=[{
        "measure": "01", "content": "种植", "expected_benefit": "增收", "starts_on": dt.date(2018, 4, 1),
        "ends_on": dt.date(2018, 12, 1)}])
    deliveries.plan(actor=office, year=2018, festival="duanwu", goods="粽子", budget="100")
    inspections.plan(actor=office, kind="phone", title="电话调查", planned_on=dt.date(2018, 5, 10), method="chosen",
                     households=[cast.household.pk])
    PovertyLine.objects.create(tenant=cast.tenant, year=2018, standard="01", amount=Decimal("3535"), source="甲")
    user = cast.users["operator"]
    client = Client()
    client.force_login(user)
    for path in ("plans/helpplan", "income/incomestatement", "income/incomeline", "income/povertyline",
                 "deliveries/deliverycampaign", "deliveries/delivery", "inspections/inspection"):
        assert client.get(f"/admin/{path}/").status_code == 200, path
    lines = client.get("/admin/income/povertyline/").content.decode()
    assert "3535" in lines and "甲" in lines
    assert client.get(f"/admin/plans/helpplan/{plan.pk}/change/").status_code == 200  # a read-only view
    assert client.get("/admin/plans/helpplan/add/").status_code == 403
