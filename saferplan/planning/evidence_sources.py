"""Adapters to the evidence the other stages keep: the assessment's figures and accepted findings,
the consultation's results, and the workshops' points.

Each adapter returns plain data (``Item``) and never fails because a stage is not there yet or
holds no data: it returns nothing, and the page says so. Nothing here writes to another stage.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from saferplan.wording import counted

from .models import EvidenceKind

log = logging.getLogger(__name__)

# The demo survey, and the question that asks which issues should be the priorities.
CONCERN_QUESTION_CODE = "q5"


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


def url_for(names: list[tuple[str, dict]], default: str = "") -> str:
    """The first of these URL names that exists (the other stages' pages appear as they are built)."""
    for name, kwargs in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return default


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- The strategic assessment -----------------------------------------------------------------


def assessment_data(partnership) -> dict | None:
    """The assessment of the partnership's area for its latest 12 months (the engine's dict), or
    None if the store holds no data for it (or the assessment stage cannot be reached)."""
    try:
        from saferplan.assessment import services
    except ImportError:  # pragma: no cover - the assessment app is part of the project
        return None
    try:
        from saferplan.core.periods import Period

        findings = accepted_findings(partnership)
        periods = sorted({f.period for f in findings if getattr(f, "period", "")})
        if periods:
            # The period whose findings people accepted: the evidence the plan cites.
            period = Period.parse(periods[-1])
        else:
            period = services.default_period(services.months_held(partnership))
        if period is None:
            return None
        return services.assessment(partnership, period)
    except Exception:  # the store missing or unreadable: the matrix falls back to typed figures
        log.warning("No assessment for %s", partnership.slug, exc_info=True)
        return None


def assessment_url(partnership, period: str | None = None) -> str:
    base = url_for([("assessment:index", {"slug": partnership.slug})])
    if base and period:
        end = period.split(":")[-1]
        return f"{base}?end={end}"
    return base


def accepted_findings(partnership) -> list:
    """The findings a person accepted (the assessment's own helper, if it is there)."""
    try:
        from saferplan.assessment import models as assessment_models
    except ImportError:  # pragma: no cover
        return []
    helper = getattr(assessment_models, "accepted_findings", None)
    try:
        if helper is not None:
            return list(helper(partnership))
        Finding = getattr(assessment_models, "Finding", None)
        if Finding is None:
            return []
        return list(Finding.objects.filter(partnership=partnership, status="accepted"))
    except Exception:  # the table not migrated yet
        log.warning("Findings unavailable", exc_info=True)
        return []


def finding_item(finding) -> Item:
    try:
        url = finding.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        url = assessment_url(finding.partnership, getattr(finding, "period", None))
    text = getattr(finding, "final_text", "") or getattr(finding, "text", "")
    return Item(EvidenceKind.FINDING, finding.title, url, text[:2000], finding._meta.app_label,
                finding._meta.model_name, str(finding.pk),
                {"category": getattr(finding, "category", ""), "period": getattr(finding, "period", "")})


# --- The consultation -------------------------------------------------------------------------


@dataclass
class OptionResult:
    option_pk: int
    label: str
    count: int
    base: int

    @property
    def pct(self) -> float | None:
        return round(self.count * 100 / self.base, 1) if self.base else None


@dataclass
class ConcernResults:
    survey_title: str
    survey_pk: int
    question_pk: int
    question_text: str
    base: int  # respondents who answered the question
    options: list[OptionResult]
    url: str


def concern_candidates(partnership) -> list:
    """The questions that could be the plan's public-concern source: multiple-choice questions
    asking which issues should be the priorities (the Coventry template's q5, or any question about
    priorities), each annotated with ``answered`` (counted respondents), the latest survey first."""
    Question = _model("consultation.Question")
    if Question is None:
        return []
    try:
        from django.db.models import Count, Q

        from saferplan.consultation.models import COUNTED

        qs = Question.objects.filter(survey__partnership=partnership, type="multiple").select_related("survey")
        candidates = qs.filter(Q(code=CONCERN_QUESTION_CODE) | Q(text__icontains="priorit")).annotate(
            answered=Count("answers__response", filter=Q(answers__response__status__in=COUNTED), distinct=True)
        )
        return list(candidates.order_by("-survey__opens_on", "-pk"))
    except Exception:
        log.warning("Consultation questions unavailable", exc_info=True)
        return []


def chosen_question_id(partnership) -> int | None:
    """The public-concern question recorded on the plan being worked on (or in force)."""
    from .models import Plan, PlanStatus

    plan = (Plan.objects.filter(partnership=partnership).exclude(status=PlanStatus.SUPERSEDED)
            .order_by("-starts_on", "-pk").first())
    return plan.concern_question_id if plan else None


def concern_question(partnership, question_id: int | None = None):
    """The one question the public-concern figures come from: the one chosen for the plan, or the
    only candidate there is. Never picked by how many answered it: two surveys' figures and bases
    must not be mixed, so with several candidates and none chosen there is no source."""
    if question_id is None:
        question_id = chosen_question_id(partnership)
    candidates = concern_candidates(partnership)
    if question_id is not None:
        return next((q for q in candidates if q.pk == question_id), None)
    return candidates[0] if len(candidates) == 1 else None


def results_url(survey) -> str:
    slug = survey.partnership.slug
    return url_for([
        ("consultation:results", {"slug": slug, "pk": survey.pk}),
        ("consultation:analysis", {"slug": slug, "pk": survey.pk}),
        ("consultation:survey", {"slug": slug, "pk": survey.pk}),
        ("consultation:index", {"slug": slug}),
    ])


def concern_results(partnership, question_id: int | None = None) -> ConcernResults | None:
    """How many respondents chose each option of the priorities question (counted responses only)."""
    question = concern_question(partnership, question_id)
    if question is None:
        return None
    from django.db.models import Count

    from saferplan.consultation.models import COUNTED, Answer

    answers = Answer.objects.filter(question=question, response__status__in=COUNTED)
    base = answers.values("response_id").distinct().count()
    if not base:
        return None  # nobody has answered yet: no results to cite
    counts = dict(answers.filter(option__isnull=False).values_list("option_id").annotate(n=Count("response_id",
                                                                                                distinct=True)))
    options = [OptionResult(o.pk, o.label, counts.get(o.pk, 0), base)
               for o in question.options.all() if not o.is_other]
    survey = question.survey
    return ConcernResults(survey.title, survey.pk, question.pk, question.text, base, options, results_url(survey))


def option_matches(label: str, patterns: list[str]) -> bool:
    label = label.strip().lower()
    return any(label.startswith(p.strip().lower()) for p in patterns if p.strip())


def concern_item(results: ConcernResults, option: OptionResult) -> Item:
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
