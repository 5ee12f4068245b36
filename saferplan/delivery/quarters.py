"""Delivery's quarters are core's financial-year quarters (``saferplan.core.periods``: Q1 is April
to June; "2025-26-Q2" is July to September 2025). Only how delivery words them lives here."""
from __future__ import annotations

from datetime import date

from saferplan.core.periods import FinancialYear, Quarter, quarters_between  # noqa: F401


def months_label(quarter: Quarter) -> str:
    """'July to September 2025'."""
    return f"{quarter.start:%B} to {quarter.end:%B %Y}"


def financial_year_of(label: str) -> tuple[date, date]:
    """'2025-26' -> (1 April 2025, 31 March 2026); a clear ValueError for anything else."""
    year = FinancialYear.parse(label)
    return year.start, year.end
