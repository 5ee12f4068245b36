"""JAG tasking: place-based problems with their problem-solving (SARA) record, tied to the
assessment's hotspots and findings through its read API. They hold no personal data: text that
looks like a person's contact details or date of birth is refused, saying where it is."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplan.core.periods import Period

from .. import assessment_reads
from ..models import JagProblem, JagStatus

NO_PERSONAL_DATA = ("JAG problems are about places, not people: do not record names, addresses of homes, dates of "
                    "birth, telephone numbers, email addresses or anything else that could identify a resident, "
                    "victim, witness or suspect. Partners share those only under their own information-sharing "
                    "agreements, outside Saferplan.")

# What a person's details look like in free text. A place's name or an LSOA cannot match these.
PERSONAL_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "an email address"),
    (re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d\s?){9,10}(?!\d)"), "a telephone number"),
    (re.compile(r"\b(?:d\.?o\.?b\.?|date of birth|born on)\b", re.IGNORECASE), "a date of birth"),
    (re.compile(r"\b(?:nhs|national insurance|ni) (?:no|number)\b", re.IGNORECASE), "a personal reference number"),
]
TEXT_FIELDS = ("title", "location", "ward", "description", "tasks", "escalation_reason", "scanning", "analysis",
               "response", "assessment")


@dataclass(frozen=True)
class HotspotChoice:
    key: str  # "<finding pk>:<LSOA code>"
    label: str
    hotspot: object


def hotspot_choices(partnership) -> list[HotspotChoice]:
    return [HotspotChoice(f"{h.finding_pk}:{h.lsoa_code}",
                          f"{h.lsoa_name} ({h.lsoa_code}), hotspot in {Period.parse(h.period).label()} (Gi* z {h.z:.1f})",
                          h) for h in assessment_reads.hotspots(partnership)]


def personal_data_problems(problem: JagProblem) -> dict[str, str]:
    errors = {}
    for name in TEXT_FIELDS:
        text = getattr(problem, name) or ""
        for pattern, what in PERSONAL_PATTERNS:
            if pattern.search(text):
                label = JagProblem._meta.get_field(name).verbose_name
                errors[name] = (f"{label[:1].upper()}{label[1:]} seems to hold {what}: take it out. "
                                "JAG problems hold no personal data.")
                break
    return errors


def link(problem: JagProblem, key: str) -> None:
    """Tie the problem to an accepted hotspot ("<finding>:<LSOA>") or finding ("finding:<pk>"), or to none ("")."""
    problem.finding_id = None
    problem.finding_title = problem.finding_period = ""
    if not key:
        return
    if key.startswith("finding:"):
        found = {str(f.pk): f for f in assessment_reads.findings(problem.partnership)}.get(key.split(":", 1)[1])
        if found is None:
            raise ValidationError({"evidence": "That finding is no longer accepted in the assessment: choose another"})
        problem.finding_id, problem.finding_title, problem.finding_period = found.pk, found.title, found.period
        return
    choice = {c.key: c for c in hotspot_choices(problem.partnership)}.get(key)
    if choice is None:
        raise ValidationError({"evidence": "That hotspot is not in the assessment’s accepted findings: choose another"})
    h = choice.hotspot
    problem.finding_id, problem.finding_title, problem.finding_period = h.finding_pk, h.finding_title, h.period
    problem.lsoa_code, problem.lsoa_name = h.lsoa_code, h.lsoa_name


def linked_key(problem: JagProblem) -> str:
    if problem.finding_id is None:
        return ""
    if problem.lsoa_code and any(c.key == f"{problem.finding_id}:{problem.lsoa_code}"
                                 for c in hotspot_choices(problem.partnership)):
        return f"{problem.finding_id}:{problem.lsoa_code}"
    return f"finding:{problem.finding_id}"


@transaction.atomic
def save_problem(problem: JagProblem, evidence: str | None = None) -> JagProblem:
    if evidence is not None:
        link(problem, evidence)
    errors = personal_data_problems(problem)
    if problem.status == JagStatus.ESCALATED and not problem.escalation_reason.strip():
        errors["escalation_reason"] = "Say why the problem is escalated to the partnership"
    if errors:
        raise ValidationError(errors)
    problem.save()
    return problem


def next_reference(partnership) -> str:
    numbers = [int(r[1:]) for r in JagProblem.objects.filter(partnership=partnership).values_list("reference", flat=True)
               if r[:1] == "J" and r[1:].isdigit()]
    return f"J{max(numbers, default=0) + 1}"


def problems_of(partnership):
    return JagProblem.objects.filter(partnership=partnership).select_related("owner")


def review_overdue(problem: JagProblem, today: date | None = None) -> bool:
    return problem.status != JagStatus.CLOSED and problem.review_on < (today or timezone.localdate())
