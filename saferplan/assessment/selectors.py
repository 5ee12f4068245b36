"""What the other stages read of the strategic assessment: small typed results, never the
assessment's tables or the store's SQL.

Planning (and delivery, when it is built) call these and nothing else of this app. A function
answers "nothing" (None or an empty list) only when the partnership has nothing to read; a store
that cannot be read raises :class:`AssessmentUnavailable`, so that a failure is never shown as an
area without crime.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
from django.urls import reverse

from saferplan.core.periods import Period

from . import analysis, services
from .models import accepted_findings as _accepted


class AssessmentUnavailable(RuntimeError):
    """The crime data store could not be read (not published yet, or unreadable)."""


@dataclass(frozen=True)
class Change:
    """A count against the same months a year earlier."""

    count: int
    previous_count: int
    change_pct: float | None
    significant: bool | None
    direction: str  # rise | fall | same ("" if not worked out)

    @classmethod
    def of(cls, row: dict) -> "Change":
        return cls(int(row["count"]), int(row["previous_count"]), row.get("change_pct"), row.get("significant"),
                   row.get("direction") or "")

    @classmethod
    def combined(cls, changes: list["Change"], share: float = 0.5) -> "Change":
        """Several counts taken together, their change tested as the assessment tests one."""
        if len(changes) == 1:
            return changes[0]
        count, previous = sum(c.count for c in changes), sum(c.previous_count for c in changes)
        result = analysis.compare_counts(count, previous, share)
        return cls(count, previous, result.get("change_pct"), result.get("significant"), result.get("direction") or "")


@dataclass(frozen=True)
class CategoryFigure:
    category: str
    change: Change


@dataclass(frozen=True)
class PartnerFigure:
    dataset: str
    measure: str
    change: Change

    @property
    def name(self) -> str:
        return f"{self.dataset}: {self.measure}"


@dataclass(frozen=True)
class HarmFigure:
    category: str
    harm: float
    share_pct: float | None  # of all the area's crime harm


@dataclass(frozen=True)
class AssessmentSummary:
    """The figures of one assessment that other stages cite, with their period and base."""

    period: str  # inclusive months, YYYY-MM:YYYY-MM
    period_label: str
    months: int  # months of the period that hold data: rates are annualised from these
    population: int | None  # usual residents (Census 2021), the base of every rate
    categories: tuple[CategoryFigure, ...]
    partner: tuple[PartnerFigure, ...]
    harm: tuple[HarmFigure, ...]
    significance_test: str
    url: str

    @classmethod
    def from_assessment(cls, data: dict, url: str = "") -> "AssessmentSummary":
        """From the engine's whole assessment (``Assessment.to_dict()``)."""
        detail = data.get("period_detail") or {}
        rates = data.get("rates") or {}
        significance = data.get("significance")
        return cls(
            period=data["period"], period_label=detail.get("label") or data["period"],
            months=rates.get("months") or detail.get("months") or 12, population=rates.get("population"),
            categories=tuple(CategoryFigure(c["category"], Change.of(c)) for c in data.get("categories", [])),
            partner=tuple(PartnerFigure(r["dataset"], r["measure"], Change.of(r)) for r in data.get("partner", [])),
            harm=tuple(HarmFigure(r["category"], float(r["harm"]), r.get("harm_share_pct"))
                       for r in (data.get("harm") or {}).get("rows", [])),
            significance_test=significance.get("test", "") if isinstance(significance, dict) else "",
            url=url)

    def category(self, name: str) -> CategoryFigure | None:
        return next((c for c in self.categories if c.category == name), None)

    def rate_per_1000(self, count: int) -> float | None:
        """Per 1,000 residents a year, worked out as the assessment's own rates are."""
        return analysis.annual_rate(count, self.population, self.months)


@dataclass(frozen=True)
class AcceptedFinding:
    """A finding a person accepted: the assessment's evidence that priorities and the EIA cite."""

    pk: int
    title: str
    text: str
    kind: str
    category: str
    period: str
    url: str


def page_url(partnership, period: str | None = None) -> str:
    base = reverse("assessment:index", kwargs={"slug": partnership.slug})
    return f"{base}?end={period.split(':')[-1]}" if period else base


def accepted_findings(partnership, period: str | None = None) -> list[AcceptedFinding]:
    return [AcceptedFinding(f.pk, f.title, f.final_text, f.kind, f.category, f.period, f.get_absolute_url())
            for f in _accepted(partnership, period)]


@dataclass(frozen=True)
class Hotspot:
    """An LSOA that an accepted hotspot finding names (Getis-Ord Gi*): where a place-based problem
    (the JAG's) can be tied to the assessment's evidence."""

    lsoa_code: str
    lsoa_name: str
    z: float
    finding_pk: int
    finding_title: str
    period: str
    url: str


def accepted_hotspots(partnership) -> list[Hotspot]:
    """The hotspot LSOAs of the findings people accepted, newest period first: read from what the
    finding recorded, so no store is needed."""
    found = []
    for f in _accepted(partnership).filter(kind="hotspot"):
        for h in (f.numbers or {}).get("hotspots", []):
            found.append(Hotspot(h["lsoa_code"], h["lsoa_name"], float(h["z"]), f.pk, f.title, f.period,
                                 f.get_absolute_url()))
    return found


def latest_summary(partnership) -> AssessmentSummary | None:
    """The assessment the plan cites: of the period whose findings people accepted, else of the
    latest 12 months the store holds for the area; None if it holds none."""
    periods = sorted({f.period for f in _accepted(partnership)})
    try:
        period = Period.parse(periods[-1]) if periods else services.default_period(services.months_held(partnership))
        if period is None:
            return None
        data = services.assessment(partnership, period)
    except (services.StoreNotPublished, duckdb.Error) as exc:
        raise AssessmentUnavailable(f"The crime data store could not be read: {exc}") from exc
    return AssessmentSummary.from_assessment(data, page_url(partnership, data["period"]))


def latest_period(partnership, length: int = 12) -> str | None:
    """The latest ``length`` months the store holds for the area ("2024-10:2025-09"), the period a
    yearly refresh of the assessment covers; None if it holds none."""
    try:
        period = services.default_period(services.months_held(partnership), length)
    except (services.StoreNotPublished, duckdb.Error) as exc:
        raise AssessmentUnavailable(f"The crime data store could not be read: {exc}") from exc
    return str(period) if period else None


@dataclass(frozen=True)
class MonthlyMeasure:
    counts: dict[date, float]  # the measure in each month that has any
    covered: frozenset[date]  # the months the store covers for it (a month without records counts 0)


def measure_by_month(partnership, *, category: str = "", dataset: str = "", measure: str = "",
                     conn=None) -> MonthlyMeasure:
    """A police.uk category, or a partner dataset's measure, in the partnership's area per month.
    ``conn`` is a cursor already scoped to what the partnership reads (the worker's, a test's)."""
    def read(c):
        counts, covered = analysis.measure_by_month(c, partnership.area_codes, category=category,
                                                    dataset=dataset, measure=measure)
        return MonthlyMeasure(counts, frozenset(covered))

    if conn is not None:
        return read(conn)
    try:
        with services.reading(partnership) as cursor:
            return read(cursor)
    except (services.StoreNotPublished, duckdb.Error) as exc:
        raise AssessmentUnavailable(f"The crime data store could not be read: {exc}") from exc
