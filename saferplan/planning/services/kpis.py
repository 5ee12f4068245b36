"""KPIs: their values read from the imported data or reported by the action's owner."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplan.assessment import selectors as assessment
from saferplan.core.periods import add_months, period_of
from saferplan.partnership.models import RoleKind

from ..models import KPI, KPIValue, MeasureKind, PlanStatus


# --- KPIs bound to data -------------------------------------------------------------------------


def monthly_counts(kpi, conn=None) -> assessment.MonthlyMeasure:
    """The KPI's measure per month in the area, and the months the store covers for it."""
    partnership = kpi.action.priority.theme.plan.partnership
    if kpi.measure_kind == MeasureKind.POLICE:
        return assessment.measure_by_month(partnership, category=kpi.measure_category, conn=conn)
    return assessment.measure_by_month(partnership, dataset=kpi.measure_dataset, measure=kpi.measure_name, conn=conn)


@transaction.atomic
def refresh_kpi_values(kpi, conn=None) -> int:
    """Replace a bound KPI's values with those worked out from the imported data: one per complete
    reporting period (every month of it in the store), from two years before the plan starts.
    ``conn``: a cursor scoped to what the partnership reads (the worker's, a test's); by default
    the latest snapshot. Raises ``AssessmentUnavailable`` if the store cannot be read."""
    if not kpi.bound:
        return 0
    measure = monthly_counts(kpi, conn)
    counts, covered = measure.counts, measure.covered
    plan = kpi.action.priority.theme.plan
    earliest = date(plan.starts_on.year - 2, plan.starts_on.month, 1)
    periods: dict[date, tuple[date, str]] = {}
    for month in covered:
        if month >= earliest:
            start, after, label = period_of(month, kpi.frequency)
            periods[start] = (after, label)
    kpi.values.filter(source=KPIValue.Source.IMPORTED).delete()
    # A figure a person reported is never overwritten by a refresh: it is corrected only by a person, with a reason.
    entered = set(kpi.values.filter(source=KPIValue.Source.ENTERED).values_list("period_start", flat=True))
    made = 0
    for start, (after, label) in sorted(periods.items()):
        months = []
        m = start
        while m < after:
            months.append(m)
            m = add_months(m, 1)
        if not all(m in covered for m in months) or start in entered:
            continue
        value = sum(counts.get(m, 0) for m in months)
        KPIValue.objects.update_or_create(
            kpi=kpi, period_start=start,
            defaults={"period_label": label, "period_end": date.fromordinal(after.toordinal() - 1),
                      "value": Decimal(str(value)),
                      "source": KPIValue.Source.IMPORTED, "note": kpi.measure_label})
        made += 1
    return made


def reportable_periods(kpi, today: date | None = None) -> list[tuple[date, date, str]]:
    """The reporting periods a value can be entered for: those of the KPI's frequency (financial-year
    quarters, Q1 April to June, for a quarterly KPI) that lie in the plan's period and have ended."""
    today = today or timezone.localdate()
    plan = kpi.action.priority.theme.plan
    periods, month = {}, plan.starts_on.replace(day=1)
    while month <= plan.ends_on:
        start, after, label = period_of(month, kpi.frequency)
        end = date.fromordinal(after.toordinal() - 1)
        if start >= plan.starts_on and end <= plan.ends_on and end < today:
            periods.setdefault(start, (start, end, label))
        month = add_months(month, 1)
    return list(periods.values())


class KPIValueRefused(ValidationError):
    pass


@transaction.atomic
def record_kpi_value(kpi, *, period_start: date, value, note: str = "", reason: str = "", user=None,
                     today: date | None = None) -> KPIValue:
    """Report a KPI's value for one ended period of the plan. Reporting a period again is a
    correction: it needs a reason, and the value it replaces stays in the history."""
    if KPI.objects.filter(pk=kpi.pk, action__priority__theme__plan__status=PlanStatus.SUPERSEDED).exists():
        raise KPIValueRefused({"period": "This KPI belongs to a version of the plan that has been superseded: report "
                                         "the value on the adopted plan’s KPI"})
    periods = {p[0]: p for p in reportable_periods(kpi, today)}
    if period_start not in periods:
        raise KPIValueRefused({"period": "Choose a reporting period that has ended and is in the plan’s period "
                                         f"({kpi.plan.period_label})"})
    start, end, label = periods[period_start]
    existing = KPIValue.objects.select_for_update().filter(kpi=kpi, period_start=start).first()
    user = user if getattr(user, "pk", None) else None
    if existing is None:
        return KPIValue.objects.create(kpi=kpi, period_start=start, period_end=end, period_label=label, value=value,
                                       note=note, source=KPIValue.Source.ENTERED, entered_by=user)
    if not reason.strip():
        raise KPIValueRefused({"reason": f"{label} already has a value ({existing.value_label}): give the reason "
                                         "for correcting it"})
    existing.value, existing.note, existing.correction_reason = value, note, reason.strip()
    existing.source, existing.entered_by = KPIValue.Source.ENTERED, user
    existing.save()
    return existing


def can_report(access, kpi) -> bool:
    """Whether a member may report or refresh a KPI's values: a manager or an analyst, or a partner
    officer of the organisation that owns its action."""
    if not access.can("report_kpis"):
        return False
    if access.can("change_plan") or RoleKind.ANALYST in access.kinds:
        return True
    return kpi.action.owner_id in access.officer_for
