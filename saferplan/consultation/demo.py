"""The demo consultation: Coventry's 2024 questionnaire adapted to Melton (its wards and place
names), open now, with
slug ``community-safety-2024``. Safe to run any number of times: the survey is found by its
slug, kept open, and its questions are only added once. No responses are invented."""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import library
from .models import Survey

SLUG = "community-safety-2024"

PURPOSE = """The Melton Community Safety Partnership brings together Melton Borough Council, Leicestershire Police, the fire and rescue service, probation and health to reduce crime, anti-social behaviour (ASB), drug and alcohol misuse and reoffending.
Every three years the partnership must write a Community Safety Partnership Plan under the Crime and Disorder Act 1998. Before it does, it must seek the views of the people who live and work in the borough. Your answers, together with the strategic assessment of crime and disorder, will be reviewed by the partnership's sub-groups in themed workshops and will shape its priorities."""

CAN = """Priorities
How we deliver on the priorities
How we can support your issues"""

CANNOT = "The length of time the plan will be in operation (three years)"

RESULTS = """When the consultation closes, every response will be analysed and summarised in a consultation report that explains how the views received were weighed with the evidence. The report will be published on the council's website and will go to the council's Cabinet with the draft plan.
Results are only ever published as totals: no one who responds can be identified."""

CONTACT = """You can ask for a paper copy, or get help to answer at one of our drop-in sessions.
Email: communitysafety@melton.example
Write to: Community Safety, Melton Borough Council, Parkside, Station Approach, Burton Street, Melton Mowbray LE13 1GH"""


# Coventry's questions name Coventry; Melton's residents are asked about Melton.
MELTON_PLACES = {
    "Coventry city centre": "Melton Mowbray town centre",
    "Coventry City Council": "Melton Borough Council",
    "Coventry's Community Safety partnership": "Melton's Community Safety Partnership",
    "Coventry Community Safety": "Melton Community Safety",
    "Coventry": "Melton",
}


@transaction.atomic
def load(partnership) -> Survey:
    today = timezone.localdate()
    survey = Survey.objects.filter(partnership=partnership, slug=SLUG).first()
    if survey is None:
        survey = Survey(partnership=partnership, slug=SLUG, opens_on=today - timedelta(days=14))
    survey.title = "Community safety survey 2024"
    survey.purpose, survey.can_influence, survey.cannot_influence = PURPOSE, CAN, CANNOT
    survey.how_results_used, survey.contact = RESULTS, CONTACT
    if survey.closes_on is None or survey.opens_on > today or survey.closes_on < today + timedelta(days=14):
        # A 12-week consultation that is open whenever the demo is loaded.
        survey.opens_on = today - timedelta(days=14)
        survey.closes_on = survey.opens_on + timedelta(weeks=12) - timedelta(days=1)
    survey.purge_on = survey.closes_on + timedelta(days=365)
    survey.published = True
    survey.equality_monitoring = True
    survey.save()
    if not survey.questions.exists():
        library.apply_template(survey, "coventry-2024", with_area=True, replacements=MELTON_PLACES)
    library.adapt_place(survey, MELTON_PLACES)
    # The open survey holds only what people submit: made-up responses live in the examples survey.
    survey.responses.filter(is_example=True).delete()
    return survey
