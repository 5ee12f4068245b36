"""Example responses for the demo: a closed consultation, so the analysis, the report and the
plan's evidence have something to show.

They are made up (a seeded generator, the same every run) and the survey says so in its title
and purpose. They live in a survey of their own so that the open demo survey
(``community-safety-2024``) holds only what people actually submit, and a tally of it stays exact.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from . import library, services
from .equality import CENSUS_AGE_BANDS, PREFER_NOT
from .models import Channel, EngagementEvent, EngagementEventKind, EqualityResponse, Response, Survey

SLUG = "community-safety-2024-examples"
RESPONSES = 412
OPENS, CLOSES = date(2024, 7, 10), date(2024, 10, 2)  # twelve weeks, as Coventry ran theirs

PURPOSE = (
    "EXAMPLE DATA FOR THE SAFERPLAN DEMO. The responses to this survey were made up by a program, so "
    "that the analysis, the consultation report and the plan's evidence have something to show. They "
    "are not the views of real residents."
)

# How often each priority is chosen (relative weights), with the "Other" answers people write.
PRIORITY_WEIGHTS = {
    "Anti-social Behaviour": 58,
    "Drugs offences": 46,
    "Burglary": 34,
    "Violent crime": 30,
    "Theft": 22,
    "Motor Vehicle Crime/theft": 18,
    "Youth violence, gangs": 20,
    "Hate Crime": 8,
    "Robbery": 6,
    "Other": 14,
}
OTHER_PRIORITIES = ["Speeding through the villages", "Road safety", "Fly-tipping in country lanes",
                    "Rural crime and farm thefts", "Domestic abuse"]
NEIGHBOURHOOD_ISSUES = [
    "Speeding cars through the village, especially at school times",
    "Drug dealing around the bus station and the park",
    "Young people gathering and shouting late at night in the town centre",
    "Fly-tipping in the lanes",
    "Burglaries and sheds broken into on our road",
    "Shoplifting in the town centre shops",
    "Not seeing police on foot any more",
    "Noisy neighbours and parties",
    "Cars parked on the pavement near the school",
    "Thefts from farms and outbuildings",
]
CHANNEL_WEIGHTS = {Channel.ONLINE: 70, Channel.PAPER: 18, Channel.KIOSK: 12}
# Consultations hear more from older residents: the profile page should flag the young as missing.
AGE_WEIGHTS = [1, 4, 9, 20, 30, 32]

EVENTS = [
    (date(2024, 7, 16), EngagementEventKind.DROP_IN, "Melton Library", "", 23,
     "Most concerns were about anti-social behaviour in the town centre and speeding in the villages."),
    (date(2024, 8, 6), EngagementEventKind.FOCUS_GROUP, "Melton Mowbray Cattle Market", "Melton BID", 9,
     "Traders described repeat shoplifting and asked for faster police attendance and shared radio links."),
    (date(2024, 8, 28), EngagementEventKind.FORUM, "Asfordby Parish Hall", "Asfordby Parish Council", 31,
     "Residents raised speeding, rural burglary and a wish to see more police and community support officers."),
    (date(2024, 9, 12), EngagementEventKind.WORKSHOP, "King Edward VII Academy", "Year 10 students", 27,
     "Young people wanted safe places to meet in the evening and were worried about knife crime online."),
]


def _weighted_sample(rng: random.Random, weights: dict, k: int) -> list:
    pool = dict(weights)
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(pick)
        del pool[pick]
    return chosen


def _option(question, label_start: str):
    return next(o for o in question.options.all() if o.label.startswith(label_start))


@transaction.atomic
def load(partnership) -> Survey:
    survey, created = Survey.objects.get_or_create(
        partnership=partnership,
        slug=SLUG,
        defaults={
            "title": "Community safety survey 2024 (example responses)",
            "purpose": PURPOSE,
            "can_influence": "Priorities\nHow we deliver on the priorities",
            "cannot_influence": "The length of time the plan will be in operation (three years)",
            "how_results_used": "These example results feed the demo plan’s evidence.",
            "opens_on": OPENS,
            "closes_on": CLOSES,
            "published": False,
            "equality_monitoring": True,
            "purge_on": CLOSES + timedelta(days=365 * 3),
        },
    )
    if created:
        library.apply_template(survey, "coventry-2024", with_area=True)
        from .demo import MELTON_PLACES

        library.adapt_place(survey, MELTON_PLACES)
    if not survey.responses.exists():
        _respond(survey)
    # Every response here is made up (also those loaded before responses could say so).
    survey.responses.filter(is_example=False).update(is_example=True)
    for when, kind, place, organisation, participants, summary in EVENTS:
        EngagementEvent.objects.get_or_create(
            survey=survey, date=when, place=place,
            defaults={"kind": kind, "organisation": organisation, "participants": participants, "summary": summary},
        )
    return survey


def _respond(survey: Survey) -> None:
    rng = random.Random(2024)
    questions = {q.code: q for q in survey.ordered_questions()}
    wards = list(questions["ward"].options.all())
    start = timezone.make_aware(datetime.combine(OPENS, time(9)))
    minutes = int((CLOSES - OPENS).days * 24 * 60)
    submissions = []
    for _ in range(RESPONSES):
        answers = {"ward": {"options": [rng.choice(wards).pk]}}
        for code, yes in (("q1", 0.42), ("q2", 0.71), ("q3", 0.33)):
            answers[code] = {"options": [_option(questions[code], "Yes" if rng.random() < yes else "No").pk]}
        if rng.random() < 0.7:
            answers["q4"] = {"text": rng.choice(NEIGHBOURHOOD_ISSUES)}
        priorities = _weighted_sample(rng, PRIORITY_WEIGHTS, 3)
        other = rng.choice(OTHER_PRIORITIES) if "Other" in priorities else ""
        answers["q5"] = {"options": [_option(questions["q5"], p).pk for p in priorities], "other": other}
        answers["q7"] = {"options": [o.pk for o in rng.sample([o for o in questions["q7"].options.all() if not o.is_other], 5)]}
        answers["q8"] = {"options": [o.pk for o in rng.sample([o for o in questions["q8"].options.all() if not o.is_other], 3)]}
        answers["q9"] = {"options": [o.pk for o in rng.sample(
            [o for o in questions["q9"].options.all() if o.label != "Not Answered"], rng.randint(1, 3))]}
        if rng.random() < 0.25:
            answers["q6"] = {"text": rng.choice(NEIGHBOURHOOD_ISSUES)}
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        when = start + timedelta(minutes=rng.randrange(minutes))
        submissions.append(services.Submission(answers=answers, channel=channel, submitted_at=when,
                                               extra={"is_example": True}))
    services.record_many(survey, submissions)
    ages = [label for _, label in CENSUS_AGE_BANDS]
    equality = []
    for response_id in Response.objects.filter(survey=survey).order_by("pk").values_list("pk", flat=True):
        if rng.random() < 0.62:
            age = rng.choices(ages, weights=AGE_WEIGHTS)[0] if rng.random() < 0.95 else PREFER_NOT
            sex = rng.choices(["Female", "Male", PREFER_NOT], weights=[54, 42, 4])[0]
            equality.append(EqualityResponse(survey=survey, response_id=response_id, answers={"age": age, "sex": sex}))
    EqualityResponse.objects.bulk_create(equality)
