"""Delivery's progress for the plan cycle's task list (see partnership.progress)."""
from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class OwnAction:
    title: str
    due_on: object
    state: str  # "Submitted", "Due", "Overdue" or "No round open"
    submit_url: str


@dataclass(frozen=True)
class OwnWork:
    """A partner officer's own organisation's actions and the returns due, for their home page."""

    organisations: tuple[str, ...]
    round_label: str
    deadline: object
    actions: tuple[OwnAction, ...]
    actions_url: str

    @property
    def due(self) -> int:
        return sum(1 for a in self.actions if a.state in ("Due", "Overdue"))

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.state == "Overdue")


def own_work(access) -> OwnWork | None:
    """For a partner officer (not the manager, who sees everything in delivery): the actions their
    organisations own in the plan being delivered and the state of each one's return this round."""
    from django.urls import reverse

    from saferplan.partnership.models import RoleKind

    if RoleKind.PARTNER_OFFICER not in access.kinds or access.can("run_returns") or not access.officer_for:
        return None
    partnership = access.partnership
    plan = planning.plan_in_delivery(partnership)
    if plan is None:
        return None
    today = timezone.localdate()
    round_ = returns.current_round(partnership, today)
    if round_ is not None and round_.plan_id == plan.pk:
        rows = [(r.action, r.state) for r in returns.round_rows(round_, today, organisations=access.officer_for)]
    else:
        round_ = None
        rows = [(a, "No round open") for a in planning.actions_of(plan).filter(owner__in=access.officer_for)]
    actions = tuple(OwnAction(a.title, a.due_on, state,
                              reverse("delivery:return-submit", kwargs={"slug": partnership.slug, "quarter": round_.quarter,
                                                                        "action": a.pk}) if round_ else "")
                    for a, state in rows)
    names = tuple(partnership.organisations.filter(pk__in=access.officer_for).values_list("name", flat=True))
    return OwnWork(names, round_.period.label if round_ else "", round_.deadline if round_ else None, actions,
                   reverse("delivery:actions", kwargs={"slug": partnership.slug}))
