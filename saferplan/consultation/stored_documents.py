"""The consultation report (PDF and Word) as the job worker stores it (saferplan.documents.stored):
rendering it takes one to two seconds of CPU, long work that must not hold a web process. Its
version is the digest of the report as data (building it runs the analysis, well under a second).
It quotes residents' words, so purging a survey's personal data forgets its stored reports too
(``services.purge``). Key: ``consultation-report:<survey id>:<pdf|docx>``."""
from __future__ import annotations

from saferplan.documents import stored

from . import outputs
from .models import Survey


def key(survey: Survey, fmt: str) -> str:
    return f"consultation-report:{survey.pk}:{fmt}"


def keys_of(survey: Survey) -> str:
    """The prefix of every stored report of the survey."""
    return f"consultation-report:{survey.pk}:"


def _build(key: str):
    _, pk, fmt = key.split(":")
    survey = Survey.objects.select_related("partnership").get(pk=int(pk))
    return outputs.report(survey), f"{survey.slug}-consultation-report.{fmt}"


stored.register("consultation-report", stored.built_kind(_build))


def published_keys() -> list[str]:
    """None: the report is a staff download, rendered when someone asks for one."""
    return []
