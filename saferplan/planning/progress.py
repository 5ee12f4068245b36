"""Workshops, the plan, its equality impact assessment, approval and delivery: their progress for
the plan cycle's task list (see partnership.progress)."""
from __future__ import annotations

from django.utils import timezone

from saferplan.partnership.progress import COMPLETED, IN_PROGRESS, NOT_STARTED, Progress
from saferplan.wording import counted, uk_date

from .models import PLAN_STATUS_ORDER, ApprovalStep, EqualityImpactAssessment, PlanStatus, Workshop
from .services import current_plan



def workshops_progress(partnership) -> Progress:
    """Workshops held and to come, and the survey of elected members (the consultation's read function)."""
    from saferplan.consultation.progress import members_survey_progress

    today = timezone.localdate()
    workshops = Workshop.objects.filter(partnership=partnership)
    held = workshops.filter(held_on__lte=today).count()
    planned = workshops.filter(held_on__gt=today).count()
    members = members_survey_progress(partnership)
    reasons = [f"Workshops: {held:,} held, {planned:,} planned" if held or planned else "No workshop recorded yet"]
    if members.status != NOT_STARTED:
        reasons += [f"Elected members’ survey: {r}" for r in members.reasons]
    if not held and not planned and members.status == NOT_STARTED:
        return Progress(NOT_STARTED, reasons)
    if held and not planned and members.status != IN_PROGRESS:
        return Progress(COMPLETED, reasons)
    return Progress(IN_PROGRESS, reasons)


def plan_progress(partnership) -> Progress:
    """Started once there is a plan; done once it has gone beyond a draft (sent for approval or adopted)."""
    plan = current_plan(partnership)
    if plan is None:
        return Progress(NOT_STARTED, ["No plan started yet"])
    priorities, actions = plan.priorities().count(), plan.actions().count()
    reasons = [f"{plan.title}: {plan.get_status_display().lower()}, {counted(priorities, 'priority', 'priorities')}, "
               f"{counted(actions, 'action')}"]
    return Progress(IN_PROGRESS if plan.status == PlanStatus.DRAFT else COMPLETED, reasons)


def equality_progress(partnership) -> Progress:
    plan = current_plan(partnership)
    eia = EqualityImpactAssessment.objects.filter(plan=plan).first() if plan else None
    if eia is None:
        return Progress(NOT_STARTED, ["No equality impact assessment yet"])
    rows = eia.rows.exclude(narrative="").count()
    reasons = [f"Equality impact assessment: {eia.get_status_display().lower()}, "
               f"{counted(rows, 'characteristic')} written up"]
    if eia.status == EqualityImpactAssessment.Status.FINAL:
        return Progress(COMPLETED, reasons)
    if not rows and not eia.actions.exists():
        return Progress(NOT_STARTED, reasons)
    return Progress(IN_PROGRESS, reasons)


def approval_progress(partnership) -> Progress:
    """Scrutiny, cabinet and full council: in progress once sent, done once the plan is adopted."""
    plan = current_plan(partnership)
    if plan is None:
        return Progress(NOT_STARTED, ["No plan to approve yet"])
    steps = list(ApprovalStep.objects.filter(plan=plan).order_by("meeting_on", "pk"))
    reasons = [f"{s.get_stage_display()} ({s.committee}) on {uk_date(s.meeting_on)}: {s.get_decision_display().lower()}"
               for s in steps]
    reasons.insert(0, f"The plan is {plan.get_status_display().lower()}")
    if plan.status == PlanStatus.ADOPTED:
        return Progress(COMPLETED, reasons)
    if steps or PLAN_STATUS_ORDER.index(plan.status) > 0:
        return Progress(IN_PROGRESS, reasons)
    return Progress(NOT_STARTED, reasons)


def delivery_progress(partnership) -> Progress:
    """Delivery runs from the adopted plan's start date to its end."""
    plan = current_plan(partnership)
    today = timezone.localdate()
    if plan is None or plan.status != PlanStatus.ADOPTED:
        return Progress(NOT_STARTED, ["Delivery starts once the plan is adopted"])
    if today < plan.starts_on:
        return Progress(NOT_STARTED, [f"The adopted plan starts on {uk_date(plan.starts_on)}"])
    if today > plan.ends_on:
        return Progress(COMPLETED, [f"The plan ended on {uk_date(plan.ends_on)}"])
    return Progress(IN_PROGRESS, [f"The adopted plan runs from {uk_date(plan.starts_on)} to {uk_date(plan.ends_on)}"])
