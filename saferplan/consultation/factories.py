"""factory_boy factories for the consultation's records (kept in the app, as the partnership's
are). A response is recorded through ``services.record``, the way every channel records one, so a
test's response is checked, fingerprinted and counted as a real one is; the rest are rows."""
from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from saferplan.partnership.factories import PartnershipFactory

from . import library, services
from .models import (EngagementEvent, EngagementEventKind, Option, Petition, Question, QuestionType, Representation,
                     Response, Section, Survey)


class SurveyFactory(DjangoModelFactory):
    """Open this week for 12 weeks, published, with the Coventry 2024 questionnaire's questions
    (the real one in /work/shared/seeds) and a question on the partnership's wards. ``open_now=False``
    makes it open next week; ``template=None`` leaves it without questions."""

    class Meta:
        model = Survey
        skip_postgeneration_save = True  # the hooks add other rows; this one is saved already

    class Params:
        open_now = True
        today = factory.LazyFunction(timezone.localdate)

    partnership = factory.SubFactory(PartnershipFactory)
    slug = "community-safety-2024"
    title = "Community safety survey 2024"
    purpose = "To hear what residents think about crime and anti-social behaviour."
    can_influence = "Priorities\nHow we deliver on the priorities"
    cannot_influence = "The length of the plan"
    how_results_used = "The results will be published in a consultation report."
    opens_on = factory.LazyAttribute(lambda s: s.today + timedelta(days=-7 if s.open_now else 7))
    closes_on = factory.LazyAttribute(lambda s: s.opens_on + timedelta(weeks=12))
    published = True
    equality_monitoring = True

    @factory.post_generation
    def template(survey, create, extracted, with_area=True, **kwargs):
        key = "coventry-2024" if extracted is None else extracted
        if create and key:
            library.apply_template(survey, key, with_area=with_area)


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory, template="")
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(int)


class QuestionFactory(DjangoModelFactory):
    """A single-choice question; ``options=["Yes", "No"]`` gives it options in that order."""

    class Meta:
        model = Question
        skip_postgeneration_save = True  # the hooks add other rows; this one is saved already

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    code = factory.Sequence(lambda n: f"x{n}")
    text = factory.Sequence(lambda n: f"Question {n}?")
    type = QuestionType.SINGLE
    order = factory.Sequence(int)

    @factory.post_generation
    def options(question, create, extracted, **kwargs):
        for order, label in enumerate(extracted or []):
            OptionFactory(question=question, label=label, order=order)


class OptionFactory(DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    label = factory.Sequence(lambda n: f"Option {n}")
    order = factory.Sequence(int)


class ResponseFactory(factory.Factory):
    """``ResponseFactory(survey=s, answers={"q1": "Yes", "q5": ["Robbery"], "q5_other": "..."})``:
    answers by option label (free text as text), recorded by ``services.record``."""

    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    answers = factory.LazyFunction(dict)
    channel = "online"
    client_key = ""

    @classmethod
    def _create(cls, model_class, survey, answers, channel, client_key):
        return services.record(survey, services.Submission(answers=by_label(survey, answers), channel=channel,
                                                           client_key=client_key))


def by_label(survey, given: dict) -> dict:
    """Answers as ``services.record`` takes them (option ids) from answers by label."""
    answers = {}
    questions = {q.code: q for q in survey.ordered_questions()}
    for code, value in given.items():
        if code.endswith("_other"):
            continue
        question = questions[code]
        if question.type == QuestionType.TEXT:
            answers[code] = {"text": value}
            continue
        labels = value if isinstance(value, (list, tuple)) else [value]
        options = {o.label: o.pk for o in question.options.all()}
        unknown = [label for label in labels if label not in options]
        if unknown:
            raise ValueError(f"{code} has no option {unknown[0]!r}; its options are {', '.join(options)}")
        answers[code] = {"options": [options[label] for label in labels], "other": given.get(f"{code}_other", "")}
    return answers


class EngagementEventFactory(DjangoModelFactory):
    """A drop-in session of the kind Coventry's consultation report lists."""

    class Meta:
        model = EngagementEvent

    survey = factory.SubFactory(SurveyFactory)
    date = date(2024, 7, 20)
    kind = EngagementEventKind.DROP_IN
    place = "Melton Mowbray library"
    participants = 12


class RepresentationFactory(DjangoModelFactory):
    class Meta:
        model = Representation

    survey = factory.SubFactory(SurveyFactory)
    kind = Representation.Kind.EMAIL
    received_on = date(2024, 8, 1)
    text = "Please tackle speeding on the A606."


class PetitionFactory(DjangoModelFactory):
    class Meta:
        model = Petition

    survey = factory.SubFactory(SurveyFactory)
    title = "More patrols"
    signatures = 120
    received_on = date(2024, 8, 2)
