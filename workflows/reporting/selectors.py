"""Reads of quarterly reports that the deadline engine and documents use."""

from __future__ import annotations

import datetime as dt

from backend.directory.models import Organisation

from .models import QuarterlyReport


def overdue_towns(tenant, *, year: int, quarter: int, as_of: dt.date) -> list[Organisation]:
    """Towns that have not submitted the quarter's report by its due date, judged from the day after it.
    A report submitted once and returned is not overdue: the city office holds it."""
    from .services import due_on

    if as_of <= due_on(tenant, year, quarter):
        return []
    submitted = QuarterlyReport.objects.filter(tenant=tenant, year=year, quarter=quarter, revision__gte=1)
    return list(Organisation.objects.towns().filter(tenant=tenant).exclude(
        pk__in=submitted.values("town_id")).order_by("code"))
