"""Months, financial years and their quarters (saferplan.core.periods)."""
from datetime import date

import pytest

from saferplan.core.periods import FinancialYear, Period, Quarter, period_of, quarters_between


@pytest.mark.parametrize("day, label", [
    (date(2025, 3, 31), "2024-25 Q4"),  # the last day of a financial year
    (date(2025, 4, 1), "2025-26 Q1"),  # the first day of the next
    (date(2025, 6, 30), "2025-26 Q1"),
    (date(2025, 7, 1), "2025-26 Q2"),
    (date(2025, 12, 31), "2025-26 Q3"),
    (date(2026, 1, 1), "2025-26 Q4"),
    (date(2024, 2, 29), "2023-24 Q4"),  # a leap day
])
def test_the_quarter_holding_a_day(day, label):
    assert Quarter.of(day).label == label


def test_a_quarter_starts_and_ends_on_its_calendar_days():
    q4 = Quarter.parse("2023-24-Q4")
    assert (q4.start, q4.end, q4.after_end) == (date(2024, 1, 1), date(2024, 3, 31), date(2024, 4, 1))
    assert Quarter.parse("2025-26 Q2").end == date(2025, 9, 30)
    assert Quarter.parse("2025-26-Q1").months() == [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    assert Quarter(2025, 2).slug == "2025-26-Q2" and Quarter.parse(Quarter(2025, 2).slug) == Quarter(2025, 2)


def test_a_financial_year_runs_from_1_april_to_31_march():
    year = FinancialYear.parse("2023-24")
    assert (year.start, year.end) == (date(2023, 4, 1), date(2024, 3, 31))
    assert FinancialYear.of(date(2024, 3, 31)) == year and FinancialYear.of(date(2024, 4, 1)) == FinancialYear(2024)
    assert [q.label for q in year.quarters()] == ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]
    # 2024 is a leap year: its February falls in the 2023-24 year, which is a day longer.
    assert (year.end - year.start).days + 1 == 366 and (FinancialYear(2024).end - FinancialYear(2024).start).days + 1 == 365


@pytest.mark.parametrize("text, problem", [
    ("2025-27-Q2", "followed by 26"),
    ("2025-26-Q5", "not a quarter"),
    ("Q2 2025/26", "not a quarter"),
    ("2025/26", None),
])
def test_a_mistyped_quarter_says_what_is_wrong(text, problem):
    with pytest.raises(ValueError) as error:
        Quarter.parse(text)
    assert text in str(error.value) and (problem is None or problem in str(error.value))


def test_a_quarter_has_ended_from_the_day_after_its_last_day():
    q1 = Quarter(2025, 1)
    assert not q1.has_ended(on=date(2025, 6, 30))
    assert q1.has_ended(on=date(2025, 7, 1))
    assert Quarter.current(on=date(2025, 7, 1)) == Quarter(2025, 2)
    assert Quarter.previous_to(on=date(2025, 7, 1)) == q1
    assert Quarter.previous_to(on=date(2025, 4, 1)) == Quarter(2024, 4)  # across the year's turn
    assert Quarter(2024, 4).next() == Quarter(2025, 1) and Quarter(2025, 1).previous() == Quarter(2024, 4)


def test_the_quarters_of_a_plan_period():
    quarters = quarters_between(date(2025, 4, 1), date(2028, 3, 31))
    assert len(quarters) == 12 and quarters[0].label == "2025-26 Q1" and quarters[-1].label == "2027-28 Q4"
    # A plan that starts part-way through a quarter reports on that quarter too.
    assert [q.label for q in quarters_between(date(2025, 5, 15), date(2025, 10, 1))] == [
        "2025-26 Q1", "2025-26 Q2", "2025-26 Q3"]
    assert quarters_between(date(2026, 1, 1), date(2025, 1, 1)) == []


def test_a_kpis_reporting_period_uses_the_same_quarters():
    assert period_of(date(2026, 2, 17), "quarterly") == (date(2026, 1, 1), date(2026, 4, 1), "2025-26 Q4")
    assert period_of(date(2026, 3, 1), "annually") == (date(2025, 4, 1), date(2026, 4, 1), "2025-26")
    assert period_of(date(2024, 2, 1), "monthly") == (date(2024, 2, 1), date(2024, 3, 1), "February 2024")
    with pytest.raises(ValueError, match="weekly"):
        period_of(date(2024, 2, 1), "weekly")


def test_an_assessment_period_compares_with_the_same_months_a_year_earlier():
    period = Period.parse("2023-03:2024-02")  # ends in a leap February
    assert period.months == 12 and period.previous() == Period.parse("2022-03:2023-02")
    assert period.after_end == date(2024, 3, 1)
    with pytest.raises(ValueError, match="ends before it starts"):
        Period.parse("2024-05:2024-01")
