"""Months, quarters and financial years: the one place their arithmetic is done.

An assessment :class:`Period` is an inclusive span of whole months. The plan cycle runs in UK
financial years (1 April to 31 March), and the board monitors delivery in financial-year quarters
(Q1 is April to June); a KPI reports monthly, quarterly or yearly (:func:`period_of`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# police.uk street-level data starts in 2010; a year outside this range is a typing slip, and
# far-off years would overflow the date arithmetic of the comparison period.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_month(text: str) -> date:
    match = MONTH_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a month in the form YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


@dataclass(frozen=True)
class Period:
    start: date  # first month, inclusive
    end: date  # last month, inclusive

    @classmethod
    def parse(cls, text: str) -> "Period":
        """'2024-01:2024-12' (inclusive); a single 'YYYY' means that calendar year."""
        text = text.strip()
        if re.fullmatch(r"\d{4}", text):
            return cls(date(int(text), 1, 1), date(int(text), 12, 1))
        parts = text.split(":")
        if len(parts) != 2:
            raise ValueError(f"{text!r} is not a period in the form YYYY-MM:YYYY-MM")
        start, end = parse_month(parts[0]), parse_month(parts[1])
        for month in (start, end):
            if not FIRST_YEAR <= month.year <= LAST_YEAR:
                raise ValueError(f"{month_label(month)} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
        if end < start:
            raise ValueError(f"period {text!r} ends before it starts")
        return cls(start, end)

    @classmethod
    def ending(cls, end: date, months: int) -> "Period":
        return cls(add_months(end, -(months - 1)), end)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def after_end(self) -> date:
        """First day after the period, for half-open SQL ranges."""
        return add_months(self.end, 1)

    def previous(self) -> "Period":
        """The same calendar months a year earlier (whole years earlier for a period longer than
        a year), so that a comparison is not a comparison of seasons: June to August against
        March to May would show a summer rise every year."""
        back = -12 * math.ceil(self.months / 12)
        return Period(add_months(self.start, back), add_months(self.end, back))

    def month_list(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]

    def __str__(self) -> str:
        return f"{month_label(self.start)}:{month_label(self.end)}"

    def label(self) -> str:
        """Human form, e.g. 'January 2024 to December 2024', or 'January 2024' for one month."""
        if self.start == self.end:
            return f"{self.start:%B %Y}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"

    def to_dict(self) -> dict:
        return {
            "start": month_label(self.start),
            "end": month_label(self.end),
            "months": self.months,
            "label": self.label(),
        }


# --- Financial years and their quarters ---------------------------------------------------------

FINANCIAL_YEAR_START_MONTH = 4  # 1 April, when a UK public body's year, and a CSP plan, begins
FINANCIAL_YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-(\d{2})[- ]Q([1-4])$", re.IGNORECASE)


def _today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def _financial_year_of(day: date) -> int:
    return day.year if day.month >= FINANCIAL_YEAR_START_MONTH else day.year - 1


def _checked_year(text: str, first: str, second: str) -> int:
    year = int(first)
    if (year + 1) % 100 != int(second):
        raise ValueError(f"{text!r}: a financial year runs into the next calendar year, so {first} is followed by "
                         f"{(year + 1) % 100:02d}, not {second}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{text!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return year


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A UK financial year, 1 April to 31 March, named by its first calendar year."""

    year: int

    @classmethod
    def of(cls, day: date) -> "FinancialYear":
        return cls(_financial_year_of(day))

    @classmethod
    def parse(cls, text: str) -> "FinancialYear":
        """'2025-26'."""
        match = FINANCIAL_YEAR_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a financial year in the form YYYY-YY, such as 2025-26")
        return cls(_checked_year(text, match[1], match[2]))

    @property
    def start(self) -> date:
        return date(self.year, FINANCIAL_YEAR_START_MONTH, 1)

    @property
    def end(self) -> date:
        """The last day, 31 March."""
        return self.after_end - timedelta(days=1)

    @property
    def after_end(self) -> date:
        return date(self.year + 1, FINANCIAL_YEAR_START_MONTH, 1)

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    def quarters(self) -> list["Quarter"]:
        return [Quarter(self.year, n) for n in range(1, 5)]

    def has_ended(self, on: date | None = None) -> bool:
        return self.end < (on or _today())

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter: Q1 April to June, Q2 July to September, Q3 October to December,
    Q4 January to March (of the next calendar year)."""

    year: int  # the financial year's first calendar year
    number: int  # 1 to 4

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"a quarter is numbered 1 to 4, not {self.number}")

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(_financial_year_of(day), (day.month - FINANCIAL_YEAR_START_MONTH) % 12 // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """'2025-26-Q2' (the form in a URL) or '2025-26 Q2' (its label)."""
        match = QUARTER_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a quarter in the form YYYY-YY-QN, such as 2025-26-Q2")
        return cls(_checked_year(text, match[1], match[2]), int(match[3]))

    @classmethod
    def current(cls, on: date | None = None) -> "Quarter":
        return cls.of(on or _today())

    @classmethod
    def previous_to(cls, on: date | None = None) -> "Quarter":
        """The last quarter that has ended: the one a quarterly update reports on."""
        return cls.current(on).previous()

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    @property
    def start(self) -> date:
        return add_months(self.financial_year.start, (self.number - 1) * 3)

    @property
    def after_end(self) -> date:
        return add_months(self.start, 3)

    @property
    def end(self) -> date:
        """The last day of the quarter (30 June, 30 September, 31 December, 31 March)."""
        return self.after_end - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.financial_year.label} Q{self.number}"

    @property
    def slug(self) -> str:
        """The form :meth:`parse` reads, for URLs: '2025-26-Q2'."""
        return f"{self.financial_year.label}-Q{self.number}"

    def months(self) -> list[date]:
        return [add_months(self.start, i) for i in range(3)]

    def has_ended(self, on: date | None = None) -> bool:
        """True from the day after its last day."""
        return self.end < (on or _today())

    def next(self) -> "Quarter":
        return Quarter.of(self.after_end)

    def previous(self) -> "Quarter":
        return Quarter.of(self.start - timedelta(days=1))

    def __str__(self) -> str:
        return self.label


def quarters_between(first_day: date, last_day: date) -> list[Quarter]:
    """The quarters that overlap the days from ``first_day`` to ``last_day`` inclusive, in order:
    the quarters of a plan period (1 April 2025 to 31 March 2028 has twelve)."""
    if last_day < first_day:
        return []
    quarters, quarter = [], Quarter.of(first_day)
    while quarter.start <= last_day:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


# --- A KPI's reporting periods ------------------------------------------------------------------

REPORTING_FREQUENCIES = ("monthly", "quarterly", "annually")


def period_of(month: date, frequency: str) -> tuple[date, date, str]:
    """(first day, first day after, label) of the reporting period of ``frequency`` that holds
    ``month``: a calendar month, a financial-year quarter or a financial year."""
    month = month.replace(day=1)
    if frequency == "monthly":
        return month, add_months(month, 1), f"{month:%B %Y}"
    if frequency == "annually":
        year = FinancialYear.of(month)
        return year.start, year.after_end, year.label
    if frequency == "quarterly":
        quarter = Quarter.of(month)
        return quarter.start, quarter.after_end, quarter.label
    raise ValueError(f"{frequency!r} is not a reporting frequency (one of {', '.join(REPORTING_FREQUENCIES)})")
