"""The public consultation's progress, for the plan cycle's task list (see partnership.progress)."""
from __future__ import annotations

from django.utils import timezone

from saferplan.partnership.progress import COMPLETED, IN_PROGRESS, NOT_STARTED, Progress
from saferplan.wording import counted, uk_date

from .models import COUNTED, Audience, EngagementEvent, Survey



def survey_progress(partnership, audience: str) -> Progress:
    """Published surveys for one audience: open or scheduled is in progress; all closed is done."""
    today = timezone.localdate()
    surveys = list(Survey.objects.filter(partnership=partnership, audience=audience, published=True)
                   .order_by("opens_on", "pk"))
    if not surveys:
        drafts = Survey.objects.filter(partnership=partnership, audience=audience, published=False).count()
        return Progress(IN_PROGRESS if drafts else NOT_STARTED,
                        [f"{counted(drafts, 'survey')} in draft, not yet published" if drafts else "No survey yet"])
    reasons, running = [], False
    for survey in surveys:
        responses = survey.responses.filter(status__in=COUNTED).count()
        so_many = counted(responses, "response")
        if today < survey.opens_on:
            running = True
            reasons.append(f"{survey.title}: opens on {uk_date(survey.opens_on)}")
        elif today <= survey.closes_on:
            running = True
            reasons.append(f"{survey.title}: open until {uk_date(survey.closes_on)}, {so_many} so far")
        else:
            reasons.append(f"{survey.title}: closed on {uk_date(survey.closes_on)} with {so_many}")
    events = EngagementEvent.objects.filter(survey__in=surveys).count()
    if events:
        reasons.append(f"{counted(events, 'engagement event')} recorded")
    return Progress(IN_PROGRESS if running else COMPLETED, reasons)


def consultation_progress(partnership) -> Progress:
    return survey_progress(partnership, Audience.RESIDENTS)


def members_survey_progress(partnership) -> Progress:
    return survey_progress(partnership, Audience.MEMBERS)
