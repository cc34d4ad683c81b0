"""The arithmetic of 附件2 (S16), in Decimal, with no database.

- gross (家庭总收入) = A+B+C+D+E: every income line as recorded;
- net (家庭年纯收入) = the income lines that count toward net income − the expense lines (F) that count;
  with every line counting (Laizhou's form) this is exactly gross − F;
- per capita (家庭年人均纯收入) = net ÷ household size, rounded half up to the fen (0.01 yuan), the unit the
  form is filled in. Only the per-capita figure is rounded: sums of amounts in fen are exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    category: str  # A–F
    amount: Decimal
    counts_toward_net: bool = True


@dataclass(frozen=True)
class Totals:
    by_category: dict[str, Decimal]
    gross: Decimal
    expenses: Decimal
    net: Decimal
    per_capita: Decimal


def compute(entries: Iterable[Entry], household_size: int, *, expense_categories=("F",)) -> Totals:
    if household_size < 1:
        raise ValueError("household size must be at least 1")
    by_category: dict[str, Decimal] = {}
    gross = expenses = counted_income = ZERO
    for e in entries:
        by_category[e.category] = by_category.get(e.category, ZERO) + e.amount
        if e.category in expense_categories:
            expenses += e.amount if e.counts_toward_net else ZERO
        else:
            gross += e.amount
            counted_income += e.amount if e.counts_toward_net else ZERO
    net = counted_income - expenses
    per_capita = (net / household_size).quantize(FEN, rounding=ROUND_HALF_UP)
    return Totals(by_category=by_category, gross=gross, expenses=expenses, net=net, per_capita=per_capita)


def change_ratio(current: Decimal, last: Decimal) -> Decimal | None:
    """(current − last) ÷ |last| to four places; None when last year's figure is zero."""
    if last == 0:
        return None
    return ((current - last) / abs(last)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
