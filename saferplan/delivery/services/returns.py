"""Quarterly returns: opening a round, the suggested RAG, submitting and correcting a return, and
reminding the owners of overdue ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from saferplan.forms import is_safe_link
from saferplan.partnership.models import Role, RoleKind
from saferplan.wording import counted, uk_date

from .. import planning_reads as planning
from ..models import RAG, QuarterlyReturn, Reminder, ReturnRound, ReturnSpend, ReturnStatus
from ..models.returns import RAG_ORDER
from ..quarters import Quarter, months_label, quarters_between
from . import kpis

RAG_RULE = (
    "Suggested RAG for an action: Red if it is off track or stopped, or its due date has passed by the end of the "
    "quarter and it is not complete; Amber if it is at risk, if it has not started although its start date has "
    "passed, if its expected completion date is after its due date, or if one of its KPIs is Red or Amber against "
    "its trajectory; otherwise Green. Complete is Green. The officer may change the suggestion, giving the reason.")


class ReturnRefused(ValidationError):
    pass


# --- Rounds -------------------------------------------------------------------------------------


def plan_quarters(plan) -> list[Quarter]:
    return quarters_between(plan.starts_on, plan.ends_on)


@transaction.atomic
def open_round(plan, quarter: Quarter, deadline: date, user=None, example: bool = False) -> ReturnRound:
    if quarter not in plan_quarters(plan):
        raise ReturnRefused({"quarter": f"{quarter.label} is not a quarter of the plan ({plan.period_label})"})
    if ReturnRound.objects.filter(plan=plan, quarter=quarter.slug).exists():
        raise ReturnRefused({"quarter": f"Returns for {quarter.label} have already been asked for"})
    if deadline < quarter.start:
        raise ReturnRefused({"deadline": f"The deadline must be on or after the start of {quarter.label} "
                                         f"({uk_date(quarter.start)})"})
    return ReturnRound.objects.create(partnership=plan.partnership, plan=plan, quarter=quarter.slug, deadline=deadline,
                                      opened_by=user if getattr(user, "pk", None) else None, example=example)


def rounds_of(partnership):
    return ReturnRound.objects.filter(partnership=partnership).select_related("plan")


def current_round(partnership, today: date | None = None) -> ReturnRound | None:
    """The round still being returned (the earliest with its deadline to come), else the latest."""
    today = today or timezone.localdate()
    rounds = rounds_of(partnership)
    return rounds.filter(deadline__gte=today).order_by("quarter").first() or rounds.order_by("-quarter").first()


def current_returns(round_) -> dict[int, QuarterlyReturn]:
    """Each action's return as it stands (its latest correction)."""
    found = {}
    for r in (round_.returns.filter(correction__isnull=True)
              .select_related("organisation", "submitted_by").prefetch_related("spend__allocation__stream")):
        found[r.action_id] = r
    return found


@dataclass
class ReturnRow:
    action: object
    ret: QuarterlyReturn | None
    overdue: bool

    @property
    def state(self) -> str:
        if self.ret:
            return "Submitted"
        return "Overdue" if self.overdue else "Due"


def round_rows(round_, today: date | None = None, organisations=None, sub_group=None) -> list[ReturnRow]:
    today = today or timezone.localdate()
    returns = current_returns(round_)
    actions = planning.actions_of(round_.plan)
    if organisations is not None:
        actions = actions.filter(owner__in=organisations)
    if sub_group is not None:
        actions = actions.filter(sub_group=sub_group)
    return [ReturnRow(a, returns.get(a.pk), a.pk not in returns and today > round_.deadline) for a in actions]


# --- The suggested RAG --------------------------------------------------------------------------


def suggest_rag(action, status: str, forecast_on: date | None, quarter: Quarter) -> tuple[str, list[str]]:
    """The RAG the rule gives (see RAG_RULE), with the reasons that set it."""
    found: list[tuple[str, str]] = []
    if status == ReturnStatus.COMPLETE:
        return RAG.GREEN, ["Complete"]
    if status in (ReturnStatus.OFF_TRACK, ReturnStatus.STOPPED):
        found.append((RAG.RED, f"Status is {ReturnStatus(status).label.lower()}"))
    if action.due_on <= quarter.end:
        found.append((RAG.RED, f"Due on {uk_date(action.due_on)} and not complete"))
    if status == ReturnStatus.AT_RISK:
        found.append((RAG.AMBER, "Status is at risk"))
    if status == ReturnStatus.NOT_STARTED and action.starts_on and action.starts_on <= quarter.end:
        found.append((RAG.AMBER, f"Not started, although due to start on {uk_date(action.starts_on)}"))
    if forecast_on and forecast_on > action.due_on:
        found.append((RAG.AMBER, f"Expected to finish on {uk_date(forecast_on)}, after its due date of "
                                 f"{uk_date(action.due_on)}"))
    worst = kpis.worst_kpi_rag(action, quarter)
    if worst and worst.rag != "green":
        found.append((RAG.AMBER, f"KPI “{worst.kpi.title}” is {worst.rag} against its trajectory"))
    if not found:
        return RAG.GREEN, [f"Status is {ReturnStatus(status).label.lower()} and nothing is late"]
    top = max(RAG_ORDER[r] for r, _ in found)
    return next(r for r, _ in found if RAG_ORDER[r] == top), [why for _, why in found]


# --- Submitting ---------------------------------------------------------------------------------


def can_submit(access, action) -> bool:
    """Partner officers submit only for actions their own organisation owns; the manager for any."""
    if not access.can("submit_returns"):
        return False
    if access.can("run_returns"):
        return True
    return action.owner_id in access.officer_for


@transaction.atomic
def submit_return(round_, action, *, status: str, narrative: str, rag: str, rag_reason: str = "",
                  forecast_on: date | None = None, evidence_links: str = "", spend: dict | None = None,
                  correction_reason: str = "", user=None, example: bool = False) -> QuarterlyReturn:
    """Submit the action's return for the round, or correct the one submitted (with a reason).

    ``spend`` maps each of the action's allocations (by id) to the spend to date from it."""
    if action.priority.theme.plan_id != round_.plan_id:
        raise ReturnRefused({"action": "The action is not part of the plan this round is for"})
    errors = {}
    if status not in ReturnStatus.values:
        errors["status"] = "Choose the action’s status"
    if not narrative.strip():
        errors["narrative"] = "Describe the progress made this quarter"
    if rag not in RAG.values:
        errors["rag"] = "Choose a RAG rating"
    bad = [line for line in evidence_links.splitlines() if line.strip() and not is_safe_link(line.strip())]
    if bad:
        errors["evidence_links"] = (f"Line {evidence_links.splitlines().index(bad[0]) + 1} of the links is not a "
                                    "web address starting with https:// or a page on this site starting with /")
    if errors:
        raise ReturnRefused(errors)
    suggested, reasons = suggest_rag(action, status, forecast_on, round_.period)
    if rag != suggested and not rag_reason.strip():
        raise ReturnRefused({"rag_reason": f"The suggested RAG is {suggested}: give the reason for changing it to {rag}"})
    # Submissions to one round queue behind each other, so two people correcting the same return
    # at once cannot both correct the same entry.
    ReturnRound.objects.select_for_update().filter(pk=round_.pk).first()
    existing = QuarterlyReturn.objects.filter(round=round_, action=action, correction__isnull=True).first()
    if existing and not correction_reason.strip():
        raise ReturnRefused({"correction_reason": f"A return for {round_.period.label} was submitted on "
                                                  f"{uk_date(existing.submitted_at)}: give the reason for correcting it"})
    allocations = {a.pk: a for a in action.allocations.select_related("stream")}
    spend = spend or {}
    unknown = set(spend) - set(allocations)
    if unknown:
        raise ReturnRefused({"spend": "Spend can only be reported against the action’s own allocations"})
    for pk, amount in spend.items():
        if amount is not None and Decimal(amount) < 0:
            raise ReturnRefused({f"spend_{pk}": "Spend cannot be less than £0"})
    ret = QuarterlyReturn.objects.create(
        round=round_, action=action, organisation=action.owner, status=status, narrative=narrative.strip(),
        forecast_on=forecast_on, rag_suggested=suggested, suggestion_reasons=reasons, rag=rag,
        rag_reason=rag_reason.strip() if rag != suggested else "", evidence_links=evidence_links.strip(),
        corrects=existing, correction_reason=correction_reason.strip() if existing else "",
        submitted_by=user if getattr(user, "pk", None) else None, example=example or round_.example)
    for pk, amount in spend.items():
        if amount is not None:
            ReturnSpend.objects.create(quarterly_return=ret, allocation=allocations[pk],
                                       spent_to_date=Decimal(amount).quantize(Decimal("0.01")))
    return ret


def chain_of(ret: QuarterlyReturn) -> list[QuarterlyReturn]:
    """The return as first submitted and every correction of it, oldest first."""
    first = ret
    while first.corrects_id:
        first = first.corrects
    found, node = [first], first
    while (node := QuarterlyReturn.objects.filter(corrects=node).first()) is not None:
        found.append(node)
    return found


def spend_total(ret: QuarterlyReturn | None) -> Decimal:
    if ret is None:
        return Decimal("0.00")
    return sum((s.spent_to_date for s in ret.spend.all()), Decimal("0.00"))


# --- Reminders ----------------------------------------------------------------------------------


def officers_of(organisation) -> list[str]:
    """Email addresses of the organisation's partner officers who can sign in."""
    return sorted({r.person.user.email for r in Role.objects.filter(
        organisation=organisation, kind=RoleKind.PARTNER_OFFICER, person__user__is_active=True
    ).select_related("person__user")})


def send_reminders(round_, today: date | None = None, user=None, every_days: int = 0) -> list[Reminder]:
    """Email each organisation with overdue returns in the round (one email each, listing them).
    With ``every_days``, an organisation reminded more recently than that is not reminded again."""
    today = today or timezone.localdate()
    overdue: dict = {}
    for row in round_rows(round_, today):
        if row.overdue:
            overdue.setdefault(row.action.owner, []).append(row.action)
    sent = []
    for organisation, actions in overdue.items():
        if every_days and Reminder.objects.filter(round=round_, organisation=organisation,
                                                  sent_at__gte=timezone.now() - timedelta(days=every_days)).exists():
            continue
        to = officers_of(organisation) or sorted({a.lead.email for a in actions if a.lead and a.lead.email})
        if not to:
            continue
        lines = "\n".join(f"- {a.title} (due {uk_date(a.due_on)})" for a in actions)
        send_mail(
            subject=f"{round_.partnership.name}: {counted(len(actions), 'quarterly return')} overdue for "
                    f"{round_.period.label}",
            message=(f"The returns for {round_.period.label} ({months_label(round_.period)}) were due on "
                     f"{uk_date(round_.deadline)}. {organisation.name} has not yet sent a return for:\n\n{lines}\n\n"
                     f"Sign in to Saferplan to submit them."),
            from_email=None, recipient_list=to)
        sent.append(Reminder.objects.create(round=round_, organisation=organisation, actions=len(actions),
                                            recipients=len(to), sent_by=user if getattr(user, "pk", None) else None))
    return sent


def remind_all(today: date | None = None, every_days: int = 7) -> list[Reminder]:
    """What the scheduler runs: reminders for every round past its deadline."""
    today = today or timezone.localdate()
    sent = []
    for round_ in ReturnRound.objects.filter(deadline__lt=today).select_related("partnership", "plan"):
        sent += send_reminders(round_, today, every_days=every_days)
    return sent
