"""What the other stages read of the consultation: small typed results, never its tables.

Planning reads the public-concern question (which issues people want as priorities), each
option's share of those who answered it, the equality profile of respondents in aggregate, and
the elected members' surveys; all counted by ``analysis``, the one place responses are counted,
so that a figure in the plan is the figure on the consultation's own results page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from . import analysis
from .models import COUNTED, Audience, Question, QuestionType, Survey

# The Coventry template's question on which issues should be the priorities (and the demo's).
CONCERN_QUESTION_CODE = "q5"


@dataclass(frozen=True)
class SurveyLink:
    pk: int
    slug: str
    title: str
    status: str
    url: str

    @classmethod
    def of(cls, survey: Survey) -> "SurveyLink":
        return cls(survey.pk, survey.slug, survey.title, survey.status, survey.get_absolute_url())


@dataclass(frozen=True)
class ConcernQuestion:
    """A multiple-choice question asking which issues should be the priorities."""

    pk: int
    code: str
    text: str
    answered: int  # counted respondents who answered it
    survey: SurveyLink
    opens_on: date | None


@dataclass(frozen=True)
class OptionShare:
    option_pk: int
    label: str
    count: int
    base: int  # respondents who answered the question

    @property
    def pct(self) -> float | None:
        return analysis.percent(self.count, self.base) if self.base else None


@dataclass(frozen=True)
class ConcernResults:
    survey_title: str
    survey_pk: int
    question_pk: int
    question_text: str
    base: int  # respondents who answered the question
    options: tuple[OptionShare, ...]
    url: str


def results_url(survey_pk: int, partnership) -> str:
    return reverse("consultation:analysis", kwargs={"slug": partnership.slug, "pk": survey_pk})


def priority_questions(partnership) -> list[ConcernQuestion]:
    """The questions that could be the plan's public-concern source, the latest survey first."""
    questions = (Question.objects.filter(survey__partnership=partnership, type=QuestionType.MULTIPLE)
                 .filter(Q(code=CONCERN_QUESTION_CODE) | Q(text__icontains="priorit"))
                 .annotate(answered=Count("answers__response", filter=Q(answers__response__status__in=COUNTED),
                                          distinct=True))
                 .select_related("survey__partnership").order_by("-survey__opens_on", "-pk"))
    return [ConcernQuestion(q.pk, q.code, q.text, q.answered, SurveyLink.of(q.survey), q.survey.opens_on)
            for q in questions]


def option_shares(partnership, question_pk: int) -> ConcernResults | None:
    """How many respondents chose each option of one of the partnership's questions (counted
    responses, as the consultation's results page counts them); None if nobody has answered it."""
    question = (Question.objects.filter(survey__partnership=partnership, pk=question_pk)
                .select_related("survey__partnership").first())
    if question is None:
        return None
    result = analysis.analyse(question.survey, [question])[0]
    if not result.base:
        return None
    options = list(question.options.all())  # analyse lists them in this order
    shares = tuple(OptionShare(o.pk, r.label, r.count, result.base)
                   for o, r in zip(options, result.options, strict=True) if not r.is_other)
    survey = question.survey
    return ConcernResults(survey.title, survey.pk, question.pk, question.text, result.base, shares,
                          results_url(survey.pk, partnership))


@dataclass(frozen=True)
class EqualityRow:
    label: str
    count: int  # never shown by itself: see ``display``
    display: str  # the count as it may be published (small ones suppressed)


@dataclass(frozen=True)
class EqualityQuestion:
    code: str
    label: str
    text: str
    base_display: str
    rows: tuple[EqualityRow, ...]


@dataclass(frozen=True)
class EqualityProfile:
    """What one survey's respondents said about themselves, in aggregate."""

    survey: SurveyLink
    url: str
    questions: tuple[EqualityQuestion, ...]

    def question(self, code: str) -> EqualityQuestion | None:
        return next((q for q in self.questions if q.code == code), None)


def equality_profiles(partnership) -> list[EqualityProfile]:
    """The equality answers of every survey of the partnership that asked them and has any."""
    profiles = []
    surveys = Survey.objects.filter(partnership=partnership, equality_monitoring=True).select_related("partnership")
    for survey in surveys:
        if not survey.equality_responses.exists():
            continue  # nobody has answered the equality questions: nothing to cite yet
        questions = tuple(
            EqualityQuestion(q["code"], q["label"], q["text"], q["base_display"],
                             tuple(EqualityRow(r["label"], r["count"], r["display"]) for r in q["rows"]))
            for q in analysis.equality_summary(survey))
        profiles.append(EqualityProfile(SurveyLink.of(survey), results_url(survey.pk, partnership) + "#profile",
                                        questions))
    return profiles


def member_surveys(partnership) -> list[SurveyLink]:
    return [SurveyLink.of(s) for s in Survey.objects.filter(partnership=partnership, audience=Audience.MEMBERS)
            .select_related("partnership")]


def census_age(partnership) -> dict[str, int]:
    """Census 2021 usual residents of the partnership's area by age band (empty if not loaded)."""
    return analysis.census_age(partnership)
