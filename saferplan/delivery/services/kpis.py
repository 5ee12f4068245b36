"""KPIs against target: the straight-line trajectory from baseline to target, and a RAG against it.

The KPI and its values are planning's (one model, one way to report a value); this module only
reads them, so the RAG is worked out afresh whenever a value is reported or corrected, or a bound
KPI is refreshed from the crime store.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from saferplan.documents.charts import Chart
from saferplan.documents.tables import Column, Table

from .. import planning_reads as planning
from ..quarters import Quarter

AMBER_SHARE = Decimal("0.10")  # amber: worse than the trajectory by up to a tenth of the planned change
MAINTAIN_GREEN, MAINTAIN_AMBER = Decimal("0.05"), Decimal("0.10")

RAG_RULE = (
    "KPI RAG: each KPI is compared, at the end of its latest reported period, with a straight line from its "
    "baseline (at the start of the plan) to its target (at the end of the plan), in the KPI’s direction. "
    "Green: on or better than the line. Amber: worse than the line by no more than a tenth of the planned change "
    "(target minus baseline). Red: worse by more than that. A KPI to keep at the baseline is Green within 5% of "
    "it, Amber within 10% and Red beyond. A KPI whose baseline or target is not a number, or with no value yet, "
    "has no RAG.")


@dataclass
class Standing:
    """A KPI as it stands at the end of a quarter."""

    kpi: object
    value: object | None  # the latest KPIValue reported for a period ended by then
    expected: Decimal | None  # where the trajectory says it should be at that period's end
    rag: str | None  # red | amber | green | None
    reason: str

    @property
    def rag_label(self) -> str:
        return self.rag.capitalize() if self.rag else "No RAG"

    @property
    def value_label(self) -> str:
        return self.value.value_label if self.value else "No value yet"

    @property
    def expected_label(self) -> str:
        return planning.with_unit(self.expected, self.kpi.unit) if self.expected is not None else "–"


def _months(start: date, end: date) -> int:
    """Whole months from the first of ``start``'s month to the end of ``end``'s month."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def trajectory(kpi, on: date) -> Decimal | None:
    """Where the KPI should be at the end of the month holding ``on`` (None without numbers)."""
    if kpi.baseline is None:
        return None
    if kpi.direction == planning.Direction.MAINTAIN:
        return kpi.baseline
    if kpi.target is None:
        return None
    plan = kpi.plan
    total = _months(plan.starts_on, plan.ends_on)
    done = min(max(_months(plan.starts_on, on), 0), total) if on >= plan.starts_on else 0
    expected = kpi.baseline + (kpi.target - kpi.baseline) * Decimal(done) / Decimal(total)
    return expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rag_for(kpi, value: Decimal, on: date) -> tuple[str | None, Decimal | None, str]:
    """(rag, expected, reason) for ``value`` reported for the period ending ``on``."""
    unit = kpi.unit
    if kpi.baseline is None:
        return None, None, "The KPI has no numeric baseline"
    if kpi.direction == planning.Direction.MAINTAIN:
        base = abs(kpi.baseline) or Decimal(1)
        gap = abs(value - kpi.baseline) / base
        rag = "green" if gap <= MAINTAIN_GREEN else "amber" if gap <= MAINTAIN_AMBER else "red"
        return rag, kpi.baseline, (f"{planning.with_unit(value, unit)} is {gap * 100:.1f}% from the baseline of "
                                   f"{planning.with_unit(kpi.baseline, unit)}")
    if kpi.target is None:
        return None, None, f"The target is not a number ({kpi.target_text or 'not set'})"
    expected = trajectory(kpi, on)
    margin = abs(kpi.target - kpi.baseline) * AMBER_SHARE
    worse = (value - expected) if kpi.direction == planning.Direction.DOWN else (expected - value)
    rag = "green" if worse <= 0 else "amber" if worse <= margin else "red"
    if worse <= 0:
        how = "on or better than"
    else:
        how = f"{planning.with_unit(worse, unit)} worse than"
    return rag, expected, (f"{planning.with_unit(value, unit)} is {how} the trajectory "
                           f"({planning.with_unit(expected, unit)} by {on:%B %Y}); amber allows "
                           f"{planning.with_unit(margin.quantize(Decimal('0.01')), unit)}")


def values_up_to(kpi, quarter: Quarter | None):
    values = list(kpi.values.all())
    values.sort(key=lambda v: (v.period_start, v.pk))
    if quarter is not None:
        values = [v for v in values if v.period_end <= quarter.end]
    return values


def standing(kpi, quarter: Quarter | None = None) -> Standing:
    """The KPI at the end of ``quarter`` (or now): its latest value for a period ended by then, and its RAG."""
    values = values_up_to(kpi, quarter)
    in_plan = [v for v in values if v.period_start >= kpi.plan.starts_on]
    if not in_plan:
        return Standing(kpi, None, None, None, "No value has been reported for a period of the plan yet")
    latest = in_plan[-1]
    rag, expected, reason = rag_for(kpi, latest.value, latest.period_end)
    return Standing(kpi, latest, expected, rag, f"{latest.period_label}: {reason}")


def standings(plan, quarter: Quarter | None = None) -> list[Standing]:
    return [standing(kpi, quarter) for kpi in planning.kpis_of(plan)]


def worst_kpi_rag(action, quarter: Quarter) -> Standing | None:
    """The action's KPI in the worst state at the quarter's end (for the return's suggested RAG)."""
    order = {"red": 2, "amber": 1, "green": 0}
    rated = [s for s in (standing(k, quarter) for k in action.kpis.all()) if s.rag]
    return max(rated, key=lambda s: order[s.rag]) if rated else None


def kpi_table(kpi, quarter: Quarter | None = None) -> Table:
    unit = kpi.get_unit_display()
    rows = []
    for v in values_up_to(kpi, quarter):
        rag, expected, _ = rag_for(kpi, v.value, v.period_end) if v.period_start >= kpi.plan.starts_on else (
            None, None, "")
        rows.append({"period": v.period_label, "value": planning.with_unit(v.value, kpi.unit),
                     "expected": planning.with_unit(expected, kpi.unit) if expected is not None else "–",
                     "rag": rag.capitalize() if rag else "–",
                     "source": v.get_source_display() + (f"; corrected: {v.correction_reason}"
                                                         if v.correction_reason else "")})
    return Table(
        key=f"kpi-{kpi.pk}", title=f"{kpi.title}: values against the trajectory (unit: {unit.lower()})",
        columns=[Column("period", "Period"), Column("value", "Value"),
                 Column("expected", "Trajectory"), Column("rag", "RAG"), Column("source", "Source")],
        rows=rows,
        note=(f"Source: {kpi.source}. Baseline {kpi.baseline_label}; target {kpi.target_label}; "
              f"{kpi.get_direction_display().lower()}. Values for periods before the plan started have no RAG."))


def kpi_chart(kpi, quarter: Quarter | None = None) -> Chart:
    """The KPI's values by period with its trajectory and target, and the table of the same numbers."""
    import altair as alt

    from saferplan.documents.charts import COLOURS, _configure, title_of

    table = kpi_table(kpi, quarter)
    data, periods = [], []
    for v in values_up_to(kpi, quarter):
        periods.append(v.period_label)
        data.append({"period": v.period_label, "series": "Reported", "value": float(v.value)})
        if v.period_start >= kpi.plan.starts_on and (t := trajectory(kpi, v.period_end)) is not None:
            data.append({"period": v.period_label, "series": "Trajectory to target", "value": float(t)})
    unit = kpi.get_unit_display()
    chart = alt.Chart(alt.Data(values=data), title=title_of(f"{kpi.title} ({unit.lower()})")).mark_line(
        point=True).encode(
        # One tick per reported period, in order, named as the table names it.
        x=alt.X("period:O", title=None, sort=periods, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("value:Q", title=unit),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=COLOURS)),
        strokeDash=alt.StrokeDash("series:N", title=None),
    ).properties(width=460, height=200)
    description = (f"Line chart of {kpi.title} by period, with the straight-line trajectory from the baseline "
                   f"to the target drawn dashed.")
    return Chart(f"kpi-{kpi.pk}", kpi.title, _configure(chart).to_dict(), table, description,
                 note="The values are in the table below the chart.")


def refresh_bound(plan) -> int:
    """Work out again every bound KPI of the plan from the crime store (the values people entered stay)."""
    made = 0
    for kpi in planning.kpis_of(plan):
        if kpi.bound:
            made += planning.refresh_kpi_values(kpi)
    return made


def refresh_after_import(job_id) -> int:
    from ..assessment_reads import partnerships_of_import

    partnerships = partnerships_of_import(job_id)
    if partnerships == []:
        return 0
    plans = [p for partnership in partnerships for p in planning.adopted_plans_with_bound_kpis(partnership)] \
        if partnerships is not None else list(planning.adopted_plans_with_bound_kpis())
    return sum(refresh_bound(plan) for plan in plans)
