"""The risk register: ratings on the partnership's matrix, tolerance, reviews and the heat map."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import risk_matrix
from ..models import Risk, RiskRegister, RiskReview
from ..models.risks import CUSTOM


def register_for(partnership) -> RiskRegister:
    register, _ = RiskRegister.objects.get_or_create(partnership=partnership)
    return register


def matrix_for(partnership) -> risk_matrix.RiskMatrix:
    return register_for(partnership).matrix()


def band_index(matrix: risk_matrix.RiskMatrix, name: str) -> int:
    names = [b.name for b in matrix.bands]
    return names.index(name) if name in names else len(names)


@dataclass
class RatedRisk:
    risk: Risk
    current: risk_matrix.Rating
    target: risk_matrix.Rating
    above_tolerance: bool
    overdue: bool


def _as_last_rated(risk: Risk, likelihood: str, impact: str) -> risk_matrix.Rating:
    """A closed risk scored on a matrix the partnership has since left: its rating as last recorded."""
    last = risk.reviews.first()
    text = last.rating if last else "Rated on an earlier matrix"
    return risk_matrix.Rating(risk_matrix.Level(0, likelihood, "earlier matrix"),
                              risk_matrix.Level(0, impact, "earlier matrix"), last.score if last else 0, text, text)


def rated(risk: Risk, matrix: risk_matrix.RiskMatrix, today: date | None = None) -> RatedRisk:
    today = today or timezone.localdate()
    try:
        current = matrix.rate(risk.likelihood, risk.impact)
        target = matrix.rate(risk.target_likelihood, risk.target_impact)
    except ValueError:
        if not risk.closed:  # an open risk always fits: change_matrix refuses otherwise
            raise
        current = _as_last_rated(risk, risk.likelihood, risk.impact)
        target = _as_last_rated(risk, risk.target_likelihood, risk.target_impact)
        return RatedRisk(risk, current, target, False, False)
    return RatedRisk(risk, current, target, band_index(matrix, current.band) > band_index(matrix, risk.tolerance),
                     not risk.closed and risk.review_on < today)


def register_rows(partnership, today: date | None = None, include_closed: bool = False) -> list[RatedRisk]:
    matrix = matrix_for(partnership)
    risks = Risk.objects.filter(partnership=partnership).select_related("owner").prefetch_related("actions")
    if not include_closed:
        risks = risks.filter(closed=False)
    rows = [rated(r, matrix, today) for r in risks]
    rows.sort(key=lambda r: (-r.current.score, r.risk.reference))
    return rows


@transaction.atomic
def save_risk(risk: Risk, user=None, note: str = "", reviewed_on: date | None = None) -> Risk:
    """Save the risk, checked against the matrix; a new rating is kept in the risk's review history."""
    matrix = matrix_for(risk.partnership)
    risk.check_against(matrix)
    before = Risk.objects.filter(pk=risk.pk).values("likelihood", "impact").first() if risk.pk else None
    risk.save()
    if before is None or (before["likelihood"], before["impact"]) != (risk.likelihood, risk.impact) or note:
        rating = matrix.rate(risk.likelihood, risk.impact)
        RiskReview.objects.create(risk=risk, reviewed_on=reviewed_on or timezone.localdate(),
                                  likelihood=risk.likelihood, impact=risk.impact, rating=rating.text,
                                  score=rating.score, note=note,
                                  reviewed_by=user if getattr(user, "pk", None) else None)
    return risk


@transaction.atomic
def review(risk: Risk, *, likelihood: str, impact: str, next_review: date, note: str, user=None,
           reviewed_on: date | None = None) -> Risk:
    risk.likelihood, risk.impact, risk.review_on = likelihood, impact, next_review
    if not note.strip():
        raise ValidationError({"note": "Say what the review found"})
    return save_risk(risk, user, note=note.strip(), reviewed_on=reviewed_on)


@transaction.atomic
def change_matrix(register: RiskRegister, key: str, custom: dict | None = None) -> RiskRegister:
    """Choose the register's matrix; refused while an open risk has a score or tolerance the new one lacks."""
    register.matrix_key, register.custom = key, (custom or {}) if key == CUSTOM else {}
    matrix = register.matrix()
    clashes = []
    for risk in Risk.objects.filter(partnership=register.partnership, closed=False):
        try:
            risk.check_against(matrix)
        except ValidationError:
            clashes.append(risk.reference)
    if clashes:
        raise ValidationError({"matrix_key": f"Risks {', '.join(clashes)} are scored on the current matrix and do not "
                                             f"fit the {matrix.name} matrix: re-score or close them first"})
    register.save()
    return register


@dataclass
class HeatCell:
    rating: risk_matrix.Rating
    references: list[str]

    @property
    def count(self) -> int:
        return len(self.references)


def heat_map(partnership, today: date | None = None) -> dict:
    """The matrix as councils draw it (most likely at the top), each cell with the number of open
    risks currently rated there and their references, so nothing depends on colour."""
    matrix = matrix_for(partnership)
    where: dict[tuple[str, str], list[str]] = {}
    for row in register_rows(partnership, today):
        where.setdefault((row.current.likelihood.code, row.current.impact.code), []).append(row.risk.reference)
    grid = [[HeatCell(cell, where.get((cell.likelihood.code, cell.impact.code), [])) for cell in line]
            for line in matrix.grid()]
    return {"matrix": matrix, "rows": list(zip(reversed(matrix.likelihoods), grid)), "impacts": matrix.impacts}


def next_reference(partnership) -> str:
    numbers = [int(r[1:]) for r in Risk.objects.filter(partnership=partnership).values_list("reference", flat=True)
               if r[:1] == "R" and r[1:].isdigit()]
    return f"R{max(numbers, default=0) + 1}"
