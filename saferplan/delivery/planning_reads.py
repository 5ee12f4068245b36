"""Everything delivery reads from (or asks of) the planning stage, in one place.

Delivery monitors the adopted plan: its actions, their owners and due dates, and its KPIs and
their values. It never changes the plan's structure; KPI values are reported through planning's
own rules (``record_kpi_value``: ended quarters of the plan's period, corrections with a reason),
so there is one KPI model and one way to report a value. When planning grows its selectors
module, only this file changes.
"""
from __future__ import annotations

from saferplan.planning import services as _services
from saferplan.planning.models import (  # noqa: F401 - re-exported for delivery
    KPI,
    Action,
    Direction,
    FundingSource,
    KPIValue,
    MeasureKind,
    Plan,
    PlanStatus,
    Unit,
    with_unit,
)

KPIValueRefused = _services.KPIValueRefused


def plan_in_delivery(partnership) -> Plan | None:
    """The plan being delivered: the adopted one (a revision in progress is not delivered until adopted)."""
    return _services.adopted_plan(partnership)


def actions_of(plan):
    return (Action.objects.filter(priority__theme__plan=plan)
            .select_related("priority__theme", "owner", "lead", "sub_group")
            .order_by("priority__theme__order", "priority__order", "order", "pk"))


def action_in(partnership, pk) -> Action | None:
    return Action.objects.filter(priority__theme__plan__partnership=partnership, pk=pk).select_related(
        "priority__theme__plan", "owner", "lead", "sub_group").first()


def kpis_of(plan):
    return (KPI.objects.filter(action__priority__theme__plan=plan)
            .select_related("action__owner", "action__priority__theme__plan")
            .prefetch_related("values")
            .order_by("action__priority__theme__order", "action__priority__order", "action__order", "order", "pk"))


def kpi_in(partnership, pk) -> KPI | None:
    return (KPI.objects.filter(action__priority__theme__plan__partnership=partnership, pk=pk)
            .select_related("action__owner", "action__priority__theme__plan").first())


def record_kpi_value(kpi, **kwargs):
    return _services.record_kpi_value(kpi, **kwargs)


def reportable_periods(kpi, today=None):
    return _services.reportable_periods(kpi, today)


def refresh_kpi_values(kpi) -> int:
    return _services.refresh_kpi_values(kpi)


def adopted_plans_with_bound_kpis(partnership=None):
    plans = Plan.objects.filter(status=PlanStatus.ADOPTED,
                                themes__priorities__actions__kpis__measure_kind__in=[MeasureKind.POLICE,
                                                                                   MeasureKind.PARTNER])
    if partnership is not None:
        plans = plans.filter(partnership=partnership)
    return plans.distinct()


def funding_source_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in FundingSource.choices if value]


def can_report_kpi(access, kpi) -> bool:
    """Whether this person may report the KPI's values (planning's rule: the owner organisation's
    partner officers, analysts and the manager)."""
    from saferplan.planning.services import can_report

    return can_report(access, kpi)


def revision_in_progress(plan) -> Plan | None:
    return _services.revision_in_progress(plan)


def start_revision(plan, user=None) -> Plan:
    """A new draft version of the adopted plan (planning's own service); the adopted one stays public."""
    return _services.start_revision(plan, user)


def themes_of(plan):
    from saferplan.planning.models import Theme

    return Theme.objects.filter(plan=plan).prefetch_related("priorities").order_by("order", "pk")
