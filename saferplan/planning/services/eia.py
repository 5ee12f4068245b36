"""The equality impact assessment: its rows and the evidence offered for each protected characteristic."""
from __future__ import annotations

from django.db import transaction
from django.utils.text import capfirst

from saferplan.consultation import selectors as consultation
from saferplan.core.disclosure import EQUALITY_ANSWERS

from .. import evidence_sources
from ..evidence_sources import Item
from ..models import Characteristic, EIARow, EqualityImpactAssessment, EvidenceKind, Impact, Plan


# --- Equality impact assessment -----------------------------------------------------------------


@transaction.atomic
def ensure_eia(plan: Plan) -> EqualityImpactAssessment:
    eia, created = EqualityImpactAssessment.objects.get_or_create(plan=plan)
    have = set(eia.rows.values_list("characteristic", flat=True))
    for characteristic in Characteristic:
        if characteristic.value not in have:
            EIARow.objects.create(eia=eia, characteristic=characteristic.value, impact=Impact.UNKNOWN)
    return eia


# The assessment's sections, as the page and the documents both show them: each answer under its
# field's own label (the model's verbose name), so that the two never word a question differently.
EIA_HEALTH = ["health_how_reduced", "health_evidence", "health_groups", "health_improve"]
EIA_DIGITAL = ["digital_impact", "digital_opportunities"]


def eia_answers(eia: EqualityImpactAssessment, names: list[str]) -> list[tuple[str, str]]:
    return [(capfirst(EqualityImpactAssessment._meta.get_field(n).verbose_name), getattr(eia, n)) for n in names]


def eia_sign_off(eia: EqualityImpactAssessment) -> str:
    if not (eia.signed_off_by or eia.signed_off_on):
        return "Not signed off yet (needed before the assessment is final)"
    who = ", ".join(p for p in (eia.signed_off_by, eia.signed_off_role) if p)
    return f"{who}, {eia.signed_off_on:%-d %B %Y}" if eia.signed_off_on else who


def eia_rows(eia: EqualityImpactAssessment) -> list[EIARow]:
    rows = list(eia.rows.prefetch_related("evidence"))
    rows.sort(key=lambda r: r.position)
    return rows


# The equality monitoring question that speaks to each protected characteristic (none asks about
# marriage or pregnancy), and the Census 2021 age bands nearest each EIA age group.
EQUALITY_QUESTION = {"age_0_18": "age", "age_19_64": "age", "age_65": "age", "disability": "disability",
                     "gender_reassignment": "gender_identity", "race": "ethnic_group", "religion": "religion",
                     "sex": "sex", "sexual_orientation": "sexual_orientation"}
CENSUS_AGE_GROUPS = {
    "age_0_18": ("aged 15 and under", ["Aged 15 years and under"]),
    "age_19_64": ("aged 16 to 64", ["Aged 16 to 24 years", "Aged 25 to 34 years", "Aged 35 to 49 years",
                                    "Aged 50 to 64 years"]),
    "age_65": ("aged 65 and over", ["Aged 65 years and over"]),
}
HATE_STRANDS = {"disability": "disab", "gender_reassignment": "transgender", "race": "race", "religion": "relig",
                "sexual_orientation": "sexual orientation"}
CENSUS_URL = "https://www.ons.gov.uk/census"


def equality_evidence(partnership, characteristic: str | None = None, partner_data: bool = True) -> list[Item]:
    """Evidence for one protected characteristic (every characteristic's, if none is given): the
    Census 2021 residents of the age group, what respondents to the consultation said about it in
    aggregate, with its base, and hate crime of its strand where partner data holds it. Each
    characteristic cites its own figures, never one address for all. Raises ``AssessmentUnavailable``
    if partner data is wanted and the store cannot be read."""
    wanted = [characteristic] if characteristic else list(Characteristic.values)
    items = []
    for code in wanted:
        items += _census_items(partnership, code) + _respondent_items(partnership, code)
    if partner_data:
        items += _partner_equality_items(partnership, wanted)
    return items


def _census_items(partnership, characteristic: str) -> list[Item]:
    if characteristic not in CENSUS_AGE_GROUPS:
        return []
    population = consultation.census_age(partnership)
    total = sum(population.values())
    if not total:
        return []
    words, bands = CENSUS_AGE_GROUPS[characteristic]
    n = sum(population.get(b, 0) for b in bands)
    return [Item(EvidenceKind.CENSUS,
                 f"Census 2021: {n:,} of the area’s {total:,} usual residents ({n * 100 / total:.1f}%) are {words}",
                 CENSUS_URL, "Census 2021 usual residents by age band, ONS (Open Government Licence), for the "
                 f"partnership’s area ({', '.join(partnership.area_codes)})", "", "", "")]


# The equality question's age bands that make up each EIA age group.
RESPONDENT_AGE_GROUPS = {"age_0_18": ("aged under 16", ["Under 16"]),
                         "age_19_64": ("aged 16 to 64", ["16 to 24", "25 to 34", "35 to 49", "50 to 64"]),
                         "age_65": ("aged 65 or over", ["65 or over"])}


def _respondent_items(partnership, characteristic: str) -> list[Item]:
    code = EQUALITY_QUESTION.get(characteristic)
    if code is None:
        return []
    threshold, suppressed = EQUALITY_ANSWERS.threshold, EQUALITY_ANSWERS.marker
    items = []
    for profile in consultation.equality_profiles(partnership):
        question = profile.question(code)
        if question is None:
            continue
        survey = profile.survey
        if characteristic in RESPONDENT_AGE_GROUPS:
            words, bands = RESPONDENT_AGE_GROUPS[characteristic]
            base = sum(r.count for r in question.rows)
            n = sum(r.count for r in question.rows if r.label in bands)
            # Shown only if neither the group nor the rest is small, so the base cannot reveal a suppressed count.
            if n < threshold:
                shown = suppressed
            elif base - n < threshold:
                shown = f"not shown (the rest of the respondents are fewer than {threshold})"
            else:
                shown = f"{n:,}"
            title = f"Respondents {words}: {shown} of the {question.base_display} who gave their age ({survey.title})"
        else:
            title = (f"{question.label} of the {question.base_display} respondents to {survey.title} "
                     "who answered the equality question")
        # The answers themselves stay on the consultation's page: beside the base, a list of counts with
        # only the small ones hidden would let a reader subtract their way to them.
        items.append(Item(EvidenceKind.CONSULTATION, title, profile.url,
                          f"Answers to “{question.text}”, in aggregate; counts under {threshold} are not shown.",
                          "consultation", "survey", f"{survey.pk}:{characteristic}"))
    return items


def _partner_equality_items(partnership, characteristics: list[str]) -> list[Item]:
    summary = evidence_sources.assessment_summary(partnership)
    if not summary:
        return []
    items = []
    for row in summary.partner:
        lowered = row.name.lower()
        if "hate" not in lowered:
            continue
        if len(characteristics) > 1 or any(HATE_STRANDS.get(c) and HATE_STRANDS[c] in lowered
                                           for c in characteristics):
            items.append(Item(EvidenceKind.PARTNER, f"{row.name}: {row.change.count:,} in {summary.period_label}",
                              summary.url))
    return items
