"""The evidence the other stages keep, as pieces a priority, issue, EIA row or "You said" row can
cite: the assessment's figures and accepted findings, the consultation's results, and the
workshops' points.

The assessment and the consultation are read only through their read APIs
(``assessment.selectors``, ``consultation.selectors``); nothing here writes to another stage. A
store that cannot be read raises ``AssessmentUnavailable``: it is never shown as "no data".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from saferplan.assessment import selectors as assessment
from saferplan.consultation import selectors as consultation
from saferplan.wording import counted

from .models import EvidenceKind

AssessmentUnavailable = assessment.AssessmentUnavailable
ConcernResults = consultation.ConcernResults
OptionShare = consultation.OptionShare


@dataclass
class Item:
    """A piece of evidence that can be cited: what it is, its address and where it came from."""

    kind: str
    title: str
    url: str = ""
    summary: str = ""
    source_app: str = ""
    source_model: str = ""
    source_pk: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.source_app}.{self.source_model}|{self.source_pk}"

    @property
    def kind_label(self) -> str:
        return EvidenceKind(self.kind).label


# --- The strategic assessment -----------------------------------------------------------------


def assessment_summary(partnership) -> assessment.AssessmentSummary | None:
    """The assessment the plan cites (None if the store holds no data for the area)."""
    return assessment.latest_summary(partnership)


def accepted_findings(partnership) -> list[assessment.AcceptedFinding]:
    return assessment.accepted_findings(partnership)


def finding_item(finding: assessment.AcceptedFinding) -> Item:
    return Item(EvidenceKind.FINDING, finding.title, finding.url, finding.text[:2000], "assessment", "finding",
                str(finding.pk), {"category": finding.category, "period": finding.period})


# --- The consultation -------------------------------------------------------------------------


def concern_candidates(partnership) -> list[consultation.ConcernQuestion]:
    """The questions that could be the plan's public-concern source, the latest survey first."""
    return consultation.priority_questions(partnership)


def chosen_question_id(partnership) -> int | None:
    """The public-concern question recorded on the plan being worked on (or in force)."""
    from .models import Plan, PlanStatus

    plan = (Plan.objects.filter(partnership=partnership).exclude(status=PlanStatus.SUPERSEDED)
            .order_by("-starts_on", "-pk").first())
    return plan.concern_question_id if plan else None


def concern_question(partnership, question_id: int | None = None) -> consultation.ConcernQuestion | None:
    """The one question the public-concern figures come from: the one chosen for the plan, or the
    only candidate there is. Never picked by how many answered it: two surveys' figures and bases
    must not be mixed, so with several candidates and none chosen there is no source."""
    if question_id is None:
        question_id = chosen_question_id(partnership)
    candidates = concern_candidates(partnership)
    if question_id is not None:
        return next((q for q in candidates if q.pk == question_id), None)
    return candidates[0] if len(candidates) == 1 else None


def concern_results(partnership, question_id: int | None = None) -> ConcernResults | None:
    """How many respondents chose each option of the public-concern question (None: no question,
    or nobody has answered it yet)."""
    question = concern_question(partnership, question_id)
    return consultation.option_shares(partnership, question.pk) if question is not None else None


def option_matches(label: str, patterns: list[str]) -> bool:
    label = label.strip().lower()
    return any(label.startswith(p.strip().lower()) for p in patterns if p.strip())


def concern_item(results: ConcernResults, option: OptionShare) -> Item:
    pct = f"{option.pct:.0f}%" if option.pct is not None else "None"
    return Item(
        EvidenceKind.CONSULTATION,
        f"{pct} of the {counted(results.base, 'respondent')} who answered the question on priorities chose "
        f"“{_short(option.label)}” ({results.survey_title})",
        results.url,
        f"{option.count:,} of the {results.base:,} people who answered “{results.question_text}” chose it.",
        "consultation", "option", str(option.option_pk),
        {"count": option.count, "base": option.base, "pct": option.pct},
    )


def _short(label: str) -> str:
    return label.split(" (")[0]


# --- Everything that can be cited -------------------------------------------------------------


def available(partnership) -> list[Item]:
    """Everything a priority or an EIA row can cite: accepted findings, consultation results and
    workshop points, in that order."""
    from .models import PointKind, WorkshopPoint

    items = [finding_item(f) for f in accepted_findings(partnership)]
    results = concern_results(partnership)
    if results:
        items += [concern_item(results, o) for o in sorted(results.options, key=lambda o: -o.count)]
    points = WorkshopPoint.objects.filter(workshop__partnership=partnership).exclude(kind=PointKind.FINDING)
    for p in points.select_related("workshop").order_by("workshop__held_on", "kind", "order", "pk"):
        items.append(workshop_item(p))
    return items


def workshop_item(point) -> Item:
    name = point.workshop.title if "workshop" in point.workshop.title.lower() else f"{point.workshop.title} workshop"
    return Item(EvidenceKind.WORKSHOP, f"{name}: {point.text}"[:500],
                point.get_absolute_url(), point.get_kind_display(), "planning", "workshoppoint", str(point.pk))
