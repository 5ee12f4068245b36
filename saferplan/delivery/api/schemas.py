"""What the read API returns: flat rows a BI tool loads as tables. Money is a string of pounds and
pence (a float would lose pennies); no resident's personal data is in any of them, and no person's
name either (returns say which organisation reported, not who)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema


class PlanOut(Schema):
    title: str
    starts_on: date
    ends_on: date
    status: str
    adopted_at: datetime | None
    revision_in_progress: bool
    example_data_note: str


class ActionOut(Schema):
    id: int
    title: str
    theme: str
    priority: str
    owner: str
    sub_group: str | None
    starts_on: date | None
    due_on: date | None
    latest_quarter: str | None
    status: str | None
    rag: str | None


class ReturnOut(Schema):
    id: int
    action_id: int
    quarter: str
    organisation: str
    status: str
    narrative: str
    forecast_on: date | None
    rag_suggested: str
    rag: str
    rag_reason: str
    evidence_links: list[str]
    spend_to_date: str
    corrects_id: int | None
    correction_reason: str
    current: bool
    submitted_at: datetime
    example: bool


class KPIValueOut(Schema):
    period: str
    period_start: date
    period_end: date
    value: Decimal | None
    note: str


class KPIOut(Schema):
    id: int
    action_id: int
    title: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    direction: str
    source: str
    expected_now: Decimal | None
    rag: str | None
    rag_reason: str
    values: list[KPIValueOut]


class RiskOut(Schema):
    id: int
    reference: str
    title: str
    owner: str
    likelihood: str
    impact: str
    score: int
    rating: str
    band: str
    target_rating: str
    tolerance: str
    above_tolerance: bool
    review_on: date
    overdue: bool
    closed: bool
    matrix: str
    example: bool


class FundingOut(Schema):
    id: int
    source: str
    name: str
    funder: str
    financial_year: str
    amount: str
    allocated: str
    spent: str
    remaining: str
    claimed: str
    conditions: str
    flags: list[str]
    example: bool


class JagProblemOut(Schema):
    id: int
    reference: str
    title: str
    location: str
    ward: str
    lsoa_code: str
    lsoa_name: str
    owner: str
    status: str
    opened_on: date
    review_on: date
    example: bool


class Problem(Schema):
    detail: str
