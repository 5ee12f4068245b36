"""Candidate issues and the prioritisation matrix: their figures from the assessment, the
consultation and the workshops, their scores and their ranking."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplan.assessment.selectors import AssessmentSummary, Change, PartnerFigure
from saferplan.wording import counted

from .. import evidence_sources
from ..evidence_sources import Item
from ..models import (
    CandidateIssue,
    Criterion,
    Evidence,
    EvidenceKind,
    Plan,
    PointKind,
    PrioritisationWeights,
    Priority,
    Theme,
)
from .evidence import cite, item_of
from .plan import current_plan, next_order


# --- Candidate issues and the matrix ------------------------------------------------------------

# (name, description, police.uk categories, words picking partner measures, consultation options)
DEFAULT_ISSUES = [
    ("Anti-social behaviour", "Nuisance, disorder and environmental anti-social behaviour",
     ["Anti-social behaviour"], ["anti-social", "asb"], ["Anti-social Behaviour"]),
    ("Violent crime", "Violence against the person and sexual offences",
     ["Violence and sexual offences"], ["assault"], ["Violent crime"]),
    ("Violence against women and girls", "Sexual violence, stalking, harassment and abuse of women and girls",
     [], ["vawg", "sexual", "stalking"], []),
    ("Domestic abuse", "Abuse between partners, ex-partners and family members", [], ["domestic"], []),
    ("Hate crime", "Crime motivated by hostility to a protected characteristic", [], ["hate"], ["Hate Crime"]),
    ("Exploitation", "Criminal and sexual exploitation, county lines and modern slavery", [],
     ["exploitation", "county lines", "modern slavery"], []),
    ("Serious youth violence", "Violence involving young people, weapons and gangs", ["Possession of weapons"],
     ["youth violence", "knife"], ["Youth violence"]),
    ("Drugs and alcohol", "Drug-related crime, dealing and alcohol-related harm", ["Drugs"],
     ["drug", "alcohol"], ["Drugs offences"]),
    ("Reoffending", "People who offend again after a sentence or caution", [], ["reoffend"], []),
    ("Road safety", "Speeding, drink driving, mobile phones and seatbelts", [], ["road", "collision", "ksi"], []),
    ("Burglary", "Burglary of homes and businesses", ["Burglary"], [], ["Burglary"]),
    ("Robbery", "Robbery of personal property and businesses", ["Robbery"], [], ["Robbery"]),
    ("Vehicle crime", "Theft of and from vehicles, and interference", ["Vehicle crime"], [], ["Motor Vehicle Crime"]),
    ("Theft and shoplifting", "Shoplifting, theft from the person, bicycle and other theft",
     ["Shoplifting", "Theft from the person", "Bicycle theft", "Other theft"], [], ["Theft"]),
    ("Criminal damage and arson", "Criminal damage and deliberate fires", ["Criminal damage and arson"],
     ["fire"], []),
    ("Public order", "Public order offences", ["Public order"], [], []),
]


@transaction.atomic
def ensure_issues(partnership) -> list[CandidateIssue]:
    """The standard candidate issues, added once (the partnership may add, change or remove them)."""
    if CandidateIssue.objects.filter(partnership=partnership).exists():
        return list(CandidateIssue.objects.filter(partnership=partnership))
    for order, (name, description, categories, partner, options) in enumerate(DEFAULT_ISSUES, 1):
        CandidateIssue.objects.create(partnership=partnership, name=name, description=description,
                                      police_categories=categories, partner_measures=partner,
                                      consultation_options=options, order=order)
    return list(CandidateIssue.objects.filter(partnership=partnership))


def weights_for(partnership) -> PrioritisationWeights:
    weights, _ = PrioritisationWeights.objects.get_or_create(partnership=partnership)
    return weights


def _partner_rows(issue: CandidateIssue, summary: AssessmentSummary) -> list[PartnerFigure]:
    words = [w.lower() for w in issue.partner_measures if w.strip()]
    return [r for r in summary.partner if any(w in r.name.lower() for w in words)]


@dataclass
class RefreshResult:
    assessment: bool = False
    consultation: bool = False
    issues: int = 0
    period: str = ""


@transaction.atomic
def refresh_issues(partnership, summary: AssessmentSummary | None = None, concern=None) -> RefreshResult:
    """Bring every candidate issue's figures up to date from the assessment, the consultation and
    the workshops, with the evidence each figure came from. Figures with no source keep what a
    person typed. Raises ``AssessmentUnavailable`` (changing nothing) if the store cannot be read."""
    summary = summary if summary is not None else evidence_sources.assessment_summary(partnership)
    concern = concern if concern is not None else evidence_sources.concern_results(partnership)
    plan = current_plan(partnership)
    if concern is not None and plan is not None and plan.editable and plan.concern_question_id is None:
        plan.concern_question_id = concern.question_pk  # the only candidate: recorded, so it stays the source
        plan.save(update_fields=["concern_question_id"])
    issues = ensure_issues(partnership)
    result = RefreshResult(assessment=summary is not None, consultation=bool(concern), issues=len(issues))
    findings = evidence_sources.accepted_findings(partnership) if summary else []
    for issue in issues:
        Evidence.objects.filter(content_type=ContentType.objects.get_for_model(issue), object_id=issue.pk,
                                automatic=True).delete()
        if summary:
            result.period = summary.period
            _refresh_from_assessment(issue, summary, findings)
        if concern:
            _refresh_from_consultation(issue, concern)
        _refresh_from_workshops(issue)
        issue.refreshed_at = timezone.now()
        issue.save()
    return result


@transaction.atomic
def choose_concern_question(plan: Plan, question_id: int) -> None:
    """Record the survey question the plan's public concern figures come from, and refresh them."""
    plan.check_editable()
    if question_id not in {q.pk for q in evidence_sources.concern_candidates(plan.partnership)}:
        raise ValidationError("Choose one of the partnership’s survey questions about priorities")
    plan.concern_question_id = question_id
    plan.save(update_fields=["concern_question_id"])
    refresh_issues(plan.partnership)


def _decimal(value, places: int) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, places)))


def _refresh_from_assessment(issue: CandidateIssue, summary: AssessmentSummary, findings: list) -> None:
    chosen = [c.change for name in issue.police_categories if (c := summary.category(name)) is not None]
    partner = _partner_rows(issue, summary)
    changes = chosen or [r.change for r in partner]
    if not changes:
        return
    change = Change.combined(changes)
    count, previous = change.count, change.previous_count
    issue.period = summary.period
    issue.volume, issue.previous_volume = count, previous
    issue.change_pct = _decimal(change.change_pct, 1)
    issue.significant = change.significant
    issue.rate = _decimal(summary.rate_per_1000(count), 1)
    harm_rows = [r for r in summary.harm if r.category in issue.police_categories]
    if harm_rows:
        issue.harm = _decimal(sum(r.harm for r in harm_rows), 1)
        issue.harm_share = _decimal(sum(r.share_pct or 0 for r in harm_rows), 1)
    else:
        issue.harm = issue.harm_share = None
    source = "police.uk records" if chosen else "partner data"
    names = ", ".join(issue.police_categories if chosen else [r.name for r in partner])
    kind = EvidenceKind.ASSESSMENT if chosen else EvidenceKind.PARTNER
    cite(issue, Item(kind, f"{count:,} {source} in {summary.period_label} ({names})", summary.url,
                     f"{previous:,} in the same months a year earlier"), criterion=Criterion.VOLUME, automatic=True)
    if issue.change_pct is not None:
        way = change.direction or ("rise" if count > previous else "fall" if count < previous else "same")
        word = {"rise": "rise", "fall": "fall"}.get(way, "no change")
        sig = "statistically significant" if issue.significant else "not statistically significant"
        cite(issue, Item(kind, f"A {abs(issue.change_pct)}% {word} on the same months a year earlier ({sig})",
                         summary.url, summary.significance_test), criterion=Criterion.TREND, automatic=True)
    if harm_rows:
        cite(issue, Item(EvidenceKind.ASSESSMENT,
                         f"{issue.harm_share}% of all crime harm in the area (Cambridge Crime Harm Index)",
                         summary.url, f"{issue.harm:,} harm days"), criterion=Criterion.HARM, automatic=True)
    wanted = set(issue.police_categories)
    for finding in findings:
        if finding.category and finding.category in wanted:
            cite(issue, evidence_sources.finding_item(finding), criterion=Criterion.TREND, automatic=True)


def _refresh_from_consultation(issue: CandidateIssue, concern) -> None:
    matching = [o for o in concern.options if evidence_sources.option_matches(o.label, issue.consultation_options)]
    if not matching:
        issue.concern_pct = issue.concern_count = issue.concern_base = None
        issue.concern_source = ""
        return
    best = max(matching, key=lambda o: o.count)
    issue.concern_count, issue.concern_base = best.count, best.base
    issue.concern_source = f"{concern.survey_title}: {concern.question_text}"[:500]
    issue.concern_pct = Decimal(str(best.pct)) if best.pct is not None else None
    for option in matching:
        cite(issue, evidence_sources.concern_item(concern, option), criterion=Criterion.CONCERN, automatic=True)


def _refresh_from_workshops(issue: CandidateIssue) -> None:
    for point in issue.workshop_points.select_related("workshop"):
        cite(issue, evidence_sources.workshop_item(point), criterion=Criterion.PARTNER, automatic=True)


def partner_points(issue: CandidateIssue) -> float:
    """Workshop points about the issue; a priority proposed counts twice."""
    return sum(2 if p.kind == PointKind.PRIORITY else 1 for p in issue.workshop_points.all())


TREND_SCORES = [
    ("Statistically significant rise", 5),
    ("Rise, not statistically significant", 3),
    ("No change", 2),
    ("Fall, not statistically significant", 1),
    ("Statistically significant fall", 0),
]


def trend_score(issue: CandidateIssue) -> tuple[float | None, str]:
    if issue.change_pct is None:
        return None, "No data"
    change = float(issue.change_pct)
    if change > 0:
        return (5, TREND_SCORES[0][0]) if issue.significant else (3, TREND_SCORES[1][0])
    if change < 0:
        return (0, TREND_SCORES[4][0]) if issue.significant else (1, TREND_SCORES[3][0])
    return 2, TREND_SCORES[2][0]


@dataclass
class Score:
    criterion: str
    label: str
    score: float | None  # 0 to 5; None: no data (scores 0)
    figure: str
    evidence: list = field(default_factory=list)

    @property
    def value(self) -> float:
        return self.score or 0.0

    @property
    def display(self) -> str:
        return "–" if self.score is None else f"{self.score:.1f}"


@dataclass
class RankedIssue:
    issue: CandidateIssue
    scores: list[Score]
    total: float
    rank: int = 0
    priorities: list = field(default_factory=list)

    def score(self, criterion: str) -> Score:
        return next(s for s in self.scores if s.criterion == criterion)


def _proportional(value, largest) -> float | None:
    if value is None:
        return None
    if not largest:
        return 0.0
    return round(5 * float(value) / float(largest), 1)


def concern_figure(issue: CandidateIssue) -> str:
    """The public concern figure with its base and the survey and question it comes from."""
    if issue.concern_pct is None:
        return "No data"
    base = f" of the {counted(issue.concern_base, 'respondent')} who answered" if issue.concern_base else " of respondents"
    source = issue.concern_source or "source not recorded"
    return f"{issue.concern_pct}%{base} ({source})"


def ranked_issues(partnership, weights: dict[str, int] | None = None, plan: Plan | None = None) -> list[RankedIssue]:
    """Every candidate issue with its six scores (0 to 5) and its weighted total, best first.

    Volume, harm, public concern and partner view score in proportion to the largest among the
    issues (the largest scores 5); trend scores by direction and significance; the judgement score
    is the partnership's own. The total is the weighted average of the six scores.
    """
    issues = list(CandidateIssue.objects.filter(partnership=partnership).prefetch_related(
        "evidence", "workshop_points", "priorities__theme"))
    plan = plan or current_plan(partnership)
    weights = weights or weights_for(partnership).as_dict()
    points = {i.pk: partner_points(i) for i in issues}
    most = {
        "volume": max([i.volume or 0 for i in issues], default=0),
        "harm": max([float(i.harm or 0) for i in issues], default=0),
        "concern": max([float(i.concern_pct or 0) for i in issues], default=0),
        "partner": max(points.values(), default=0),
    }
    total_weight = sum(weights.values()) or 1
    rows = []
    for issue in issues:
        evidence = {c.value: [] for c in Criterion}
        for e in issue.evidence.all():
            evidence.setdefault(e.criterion or Criterion.JUDGEMENT, []).append(e)
        t_score, t_label = trend_score(issue)
        volume_figure = "No data" if issue.volume is None else (
            counted(issue.volume, "record") + (f", {issue.rate:,.1f} per 1,000 a year" if issue.rate is not None else ""))
        trend_figure = t_label if issue.change_pct is None else f"{issue.change_pct:+.1f}%: {t_label.lower()}"
        scores = [
            Score("volume", "Volume and rate", _proportional(issue.volume, most["volume"]), volume_figure,
                  evidence["volume"]),
            Score("trend", "Trend", t_score, trend_figure, evidence["trend"]),
            Score("harm", "Harm", _proportional(issue.harm, most["harm"]),
                  "No data" if issue.harm is None else f"{issue.harm_share}% of all harm", evidence["harm"]),
            Score("concern", "Public concern", _proportional(issue.concern_pct, most["concern"]),
                  concern_figure(issue), evidence["concern"]),
            Score("partner", "Partner view", _proportional(points[issue.pk], most["partner"]) if points[issue.pk]
                  or most["partner"] else None,
                  f"{len(issue.workshop_points.all())} workshop point{'s' if len(issue.workshop_points.all()) != 1 else ''}",
                  evidence["partner"]),
            Score("judgement", "Judgement", None if issue.judgement is None else float(issue.judgement),
                  issue.judgement_reason or ("Not scored yet" if issue.judgement is None else "No reason given"),
                  evidence["judgement"]),
        ]
        total = round(sum(weights[s.criterion] * s.value for s in scores) / total_weight, 2)
        # "In the plan" means this plan, not an earlier version of it.
        chosen = [p for p in issue.priorities.all() if plan is not None and p.theme.plan_id == plan.pk]
        rows.append(RankedIssue(issue, scores, total, priorities=chosen))
    rows.sort(key=lambda r: (-r.total, r.issue.name))
    for position, row in enumerate(rows, 1):
        row.rank = position
    return rows


@transaction.atomic
def priority_from_issue(issue: CandidateIssue, theme: Theme, **fields) -> Priority:
    """A priority answering a candidate issue, citing all the evidence the matrix used for it."""
    fields.setdefault("title", issue.name)
    priority = Priority.objects.create(theme=theme, issue=issue, order=next_order(theme.priorities.all()), **fields)
    copy_issue_evidence(issue, priority)
    return priority


def copy_issue_evidence(issue: CandidateIssue, priority: Priority) -> None:
    for evidence in issue.evidence.all():
        cite(priority, item_of(evidence))
