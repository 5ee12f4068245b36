"""What delivery reads from the assessment stage: which partnerships an import concerns."""
from __future__ import annotations


def partnerships_of_import(job_id) -> list | None:
    """The partnership whose import it was, or None for the operator's shared import (everyone's);
    an empty list if the import did not succeed."""
    from saferplan.assessment.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).select_related("partnership").first()
    if job is None or job.status != ImportJob.Status.SUCCEEDED:
        return []
    return None if job.shared else [job.partnership]


def hotspots(partnership):
    """The hotspot LSOAs of the assessment's accepted findings (``assessment.selectors.Hotspot``)."""
    from saferplan.assessment.selectors import accepted_hotspots

    return accepted_hotspots(partnership)


def findings(partnership):
    from saferplan.assessment.selectors import accepted_findings

    return accepted_findings(partnership)


def latest_period(partnership) -> str | None:
    """The latest 12 months the store holds for the area; None if none (or if it cannot be read:
    the period is then typed in)."""
    from saferplan.assessment.selectors import AssessmentUnavailable, latest_period as _latest

    try:
        return _latest(partnership)
    except AssessmentUnavailable:
        return None
