"""Delivery's progress for the plan cycle's task list (see partnership.progress)."""
from __future__ import annotations

from django.utils import timezone

from saferplan.partnership.progress import COMPLETED, IN_PROGRESS, NOT_STARTED, Progress
from saferplan.wording import counted, uk_date

from . import planning_reads as planning
from .models import FundingStream, Risk
from .services import returns


def delivery_progress(partnership) -> Progress:
    """Delivery runs from the adopted plan's start to its end; the reasons say how the latest
    round of returns stands, and what the register and funding hold."""
    plan = planning.plan_in_delivery(partnership)
    today = timezone.localdate()
    if plan is None:
        return Progress(NOT_STARTED, ["Delivery starts once the plan is adopted"])
    reasons = [f"The adopted plan runs from {uk_date(plan.starts_on)} to {uk_date(plan.ends_on)}"]
    round_ = returns.current_round(partnership, today)
    if round_ is not None:
        rows = returns.round_rows(round_, today)
        done = sum(1 for r in rows if r.ret)
        late = sum(1 for r in rows if r.overdue)
        reasons.append(f"Returns for {round_.period.label}: {done:,} of {counted(len(rows), 'action')} submitted"
                       + (f", {late:,} overdue" if late else "") + f" (due {uk_date(round_.deadline)})")
    else:
        reasons.append("No quarterly returns asked for yet")
    reasons.append(f"Risk register: {counted(Risk.objects.filter(partnership=partnership, closed=False).count(), 'open risk')}")
    reasons.append(f"Funding: {counted(FundingStream.objects.filter(partnership=partnership).count(), 'stream')}")
    if today < plan.starts_on:
        return Progress(NOT_STARTED, reasons)
    if today > plan.ends_on:
        return Progress(COMPLETED, reasons)
    return Progress(IN_PROGRESS, reasons)
