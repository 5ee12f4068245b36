"""What delivery reads from the assessment stage, through its read API (assessment.selectors)."""
from __future__ import annotations


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
