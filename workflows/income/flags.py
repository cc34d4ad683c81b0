"""The flags of an income statement (S16): under the tenant's poverty line for that year and the household's
identification standard; a change of per-capita net income beyond the policy's share from last year; lines
the household had last year and lacks now. Last year means last year's verified or distributed statement."""

from __future__ import annotations

import datetime as dt

from backend.tenancy.models import Policy

from .models import INCOME_CATEGORIES, IncomeAmount, IncomeStatement, PovertyLine, StatementState
from .totals import change_ratio

TRUSTED = (StatementState.VERIFIED, StatementState.DISTRIBUTED)


def refresh_flags(statement: IncomeStatement) -> None:
    """Set the flag fields of `statement` (not saved) from its current totals and amounts."""
    line = PovertyLine.objects.filter(tenant_id=statement.tenant_id, year=statement.year,
                                      standard=statement.household.standard).first()
    statement.poverty_line = line
    statement.below_line = None if line is None else statement.per_capita < line.amount
    last = (IncomeStatement.objects.filter(tenant_id=statement.tenant_id, household_id=statement.household_id,
                                           year=statement.year - 1, state__in=TRUSTED).first())
    if last is None:
        statement.last_per_capita, statement.change_ratio = None, None
        statement.big_change, statement.missing_lines = False, []
        return
    statement.last_per_capita = last.per_capita
    statement.change_ratio = change_ratio(statement.per_capita, last.per_capita)
    limit = Policy.current(statement.tenant, dt.date(statement.year, 12, 31)).income_change_alert_ratio
    if statement.change_ratio is None:
        statement.big_change = statement.per_capita != last.per_capita
    else:
        statement.big_change = abs(statement.change_ratio) > limit
    statement.missing_lines = _missing(last, statement)


def _missing(last: IncomeStatement, current: IncomeStatement) -> list[dict]:
    """Income lines with an amount last year and none this year, matched by line code across the years."""
    had = (IncomeAmount.objects.filter(statement=last, line__category__in=INCOME_CATEGORIES)
           .order_by("line__order").select_related("line"))
    has = set(IncomeAmount.objects.filter(statement=current).values_list("line__code", flat=True))
    return [{"code": a.line.code, "label": a.line.title, "last_amount": str(a.amount)}
            for a in had if a.line.code not in has]
