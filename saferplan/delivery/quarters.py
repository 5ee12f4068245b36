"""Financial-year quarters as delivery names them: Q1 is April to June; "2025-26-Q2" is July to
September 2025.

A thin adapter over planning's reporting periods (``planning_reads.period_of``), so that a
quarter's dates are worked out in one place; when ``saferplan/core/periods.py`` lands this module
becomes an import of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KEY = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the financial year's first calendar year: 2025 for 2025-26
    number: int  # 1..4

    @classmethod
    def parse(cls, key: str) -> "Quarter":
        """'2025-26-Q2' -> Quarter(2025, 2); anything else is refused with the expected form."""
        match = KEY.match((key or "").strip())
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValueError(f"{key!r} is not a quarter: write the financial year and quarter like 2025-26-Q2 "
                             "(Q1 is April to June)")
        return cls(int(match[1]), int(match[3]))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, ((day.month - 4) % 12) // 3 + 1)

    @property
    def starts_on(self) -> date:
        month = 4 + (self.number - 1) * 3
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def ends_on(self) -> date:
        return self.next().starts_on - timedelta(days=1)

    @property
    def financial_year(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def key(self) -> str:
        return f"{self.financial_year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.financial_year} Q{self.number}"

    @property
    def months_label(self) -> str:
        return f"{self.starts_on:%B} to {self.ends_on:%B %Y}"

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def has_ended(self, today: date) -> bool:
        return self.ends_on < today

    def __str__(self) -> str:
        return self.label


def quarters_between(starts_on: date, ends_on: date) -> list[Quarter]:
    """Every quarter that lies wholly between the two dates (a plan's period)."""
    found, quarter = [], Quarter.of(starts_on)
    if quarter.starts_on < starts_on:
        quarter = quarter.next()
    while quarter.ends_on <= ends_on:
        found.append(quarter)
        quarter = quarter.next()
    return found


def financial_year_of(label: str) -> tuple[date, date]:
    """'2025-26' -> (1 April 2025, 31 March 2026)."""
    match = re.match(r"^(\d{4})-(\d{2})$", (label or "").strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"{label!r} is not a financial year: write it like 2025-26")
    year = int(match[1])
    return date(year, 4, 1), date(year + 1, 3, 31)
