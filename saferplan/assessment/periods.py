"""Assessment periods: inclusive spans of whole months."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

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
