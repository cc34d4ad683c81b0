"""The opt-in demo records: plausible frequencies, double signatures, and ContactMonth matching the visits."""

import datetime as dt

from django.core.management import call_command

from backend.fieldwork import contacts
from backend.fieldwork.models import ContactMonth, Visit, VisitImage
from backend.tenancy.models import Tenant


def test_seeded_visits_follow_the_rules_and_fill_contact_months(db, capsys):
    call_command("seed", "laizhou", "--households", "40", "--visits-until", "2018-06-30")
    assert "visits and calls" in capsys.readouterr().out
    tenant = Tenant.objects.get(code="370683")
    visits = Visit.objects.filter(tenant=tenant)
    assert visits.count() > 40 * 5
    assert not visits.filter(occurred_on__gt=dt.date(2018, 6, 30)).exists()
    assert not visits.filter(occurred_on__lt=dt.date(2018, 3, 19)).exists()
    signed = visits.filter(channel="in_person")
    assert VisitImage.objects.filter(visit__in=signed).count() == 2 * signed.count()
    assert not signed.filter(household_sign_method="").exists()
    assert contacts.actual(ContactMonth.objects.filter(tenant=tenant)) == contacts.expected(visits)
