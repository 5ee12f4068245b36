""""You said, we did": what the consultation said and what the plan does about it.

Rows drafted from the consultation's results are suggestions (``YouSaidSuggestion``), kept apart
from the plan's rows until a person accepts one (as drafted or edited) or dismisses it.
"""
from __future__ import annotations

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from .. import evidence_sources
from ..evidence_sources import Item
from ..models import CandidateIssue, IllegalMove, Plan, Priority, YouSaidSuggestion, YouSaidWeDid
from .evidence import cite
from .plan import next_order


def suggested_you_said(plan: Plan, limit: int = 5) -> list[dict]:
    """What the consultation's top concerns suggest: each concern's evidence and the priorities
    that answer it."""
    concern = evidence_sources.concern_results(plan.partnership, question_id=plan.concern_question_id)
    if not concern:
        return []
    issues = list(CandidateIssue.objects.filter(partnership=plan.partnership))
    suggestions = []
    for option in sorted(concern.options, key=lambda o: -o.count)[:limit]:
        matching = [i for i in issues if evidence_sources.option_matches(option.label, i.consultation_options)]
        priorities = list(Priority.objects.filter(theme__plan=plan, issue__in=matching))
        suggestions.append({"option": option, "item": evidence_sources.concern_item(concern, option),
                            "priorities": priorities})
    return suggestions


def drafted_we_did(priorities: list[Priority]) -> str:
    if priorities:
        return "We made " + " and ".join(f"“{p.title}”" for p in priorities) + " a priority of the plan."
    return "We considered this issue but did not make it a priority: see the plan for why."


@transaction.atomic
def draft_suggestions(plan: Plan) -> list[YouSaidSuggestion]:
    """Suggest rows from the consultation's top concerns. A concern already suggested (whether
    since accepted or dismissed), or already a row, is not suggested again."""
    plan.check_editable()
    decided = set(plan.you_said_suggestions.values_list("source_key", flat=True))
    rows = set(plan.you_said.values_list("you_said", flat=True))
    made = []
    for s in suggested_you_said(plan):
        item: Item = s["item"]
        if item.key in decided or item.title in rows:
            continue
        suggestion = YouSaidSuggestion.objects.create(
            plan=plan, source_key=item.key[:200], you_said=item.title, we_did=drafted_we_did(s["priorities"]),
            evidence=asdict(item))
        suggestion.priorities.set(s["priorities"])
        made.append(suggestion)
    return made


def open_suggestions(plan: Plan):
    return plan.you_said_suggestions.filter(status=YouSaidSuggestion.Status.SUGGESTED).prefetch_related("priorities")


def _decide(suggestion: YouSaidSuggestion, status: str, user) -> None:
    if suggestion.status != YouSaidSuggestion.Status.SUGGESTED:
        raise IllegalMove(f"This suggestion has already been {suggestion.get_status_display().lower()}")
    suggestion.plan.check_editable()
    suggestion.status = status
    suggestion.decided_by = user if getattr(user, "pk", None) else None
    suggestion.decided_at = timezone.now()


@transaction.atomic
def accept_suggestion(suggestion: YouSaidSuggestion, user=None, *, you_said: str | None = None,
                      we_did: str | None = None, actions=()) -> YouSaidWeDid:
    """Make the suggestion a row of "You said, we did" (with the person's wording, if they edited
    it), citing the evidence it was drafted from."""
    suggestion = YouSaidSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _decide(suggestion, YouSaidSuggestion.Status.ACCEPTED, user)
    plan = suggestion.plan
    row = YouSaidWeDid.objects.create(plan=plan, you_said=you_said or suggestion.you_said,
                                      we_did=we_did or suggestion.we_did, order=next_order(plan.you_said.all()))
    row.priorities.set(suggestion.priorities.all())
    if actions:
        row.actions.set(actions)
    if suggestion.evidence:
        cite(row, Item(**suggestion.evidence))
    suggestion.row = row
    suggestion.save()
    return row


@transaction.atomic
def dismiss_suggestion(suggestion: YouSaidSuggestion, user=None) -> None:
    suggestion = YouSaidSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _decide(suggestion, YouSaidSuggestion.Status.DISMISSED, user)
    suggestion.save()
