""""You said, we did": what the consultation said and what the plan does about it."""
from __future__ import annotations

from .. import evidence_sources
from ..models import CandidateIssue, Plan, Priority


# --- You said, we did ---------------------------------------------------------------------------


def suggested_you_said(plan: Plan, limit: int = 5) -> list[dict]:
    """Rows to start "You said, we did" from: the consultation's top concerns, each with the
    priorities that answer them."""
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
