"""The risk register, scored on the partnership's own matrix (``risk_matrix``)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Organisation, Partnership

from .. import risk_matrix

CUSTOM = "custom"
MATRIX_CHOICES = [(m.key, m.name) for m in risk_matrix.PRESETS.values()] + [(CUSTOM, "The partnership’s own matrix")]


class RiskRegister(models.Model):
    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="risk_register")
    matrix_key = models.CharField("Risk matrix", max_length=20, choices=MATRIX_CHOICES,
                                  default=risk_matrix.COMMON_5X5.key)
    # The partnership's own matrix: {"name", "likelihoods": [...], "impacts": [...],
    # "bands": [[name, lowest score], ...], "rating_style": "band" | "cell"}.
    custom = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Risk register of {self.partnership}"

    def matrix(self) -> risk_matrix.RiskMatrix:
        if self.matrix_key == CUSTOM:
            c = self.custom or {}
            return risk_matrix.custom(CUSTOM, c.get("name") or "The partnership’s own matrix", c.get("likelihoods", []),
                                      c.get("impacts", []), [tuple(b) for b in c.get("bands", [])],
                                      c.get("rating_style", "band"))
        return risk_matrix.PRESETS[self.matrix_key]


class Risk(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="risks")
    reference = models.CharField(max_length=20, help_text="For example R1")
    title = models.CharField("Risk", max_length=300)
    cause = models.TextField(max_length=3000)
    consequence = models.TextField(max_length=3000)
    owner = models.ForeignKey(Organisation, on_delete=models.RESTRICT, related_name="risks",
                              verbose_name="Owner organisation")
    owner_name = models.CharField("Risk owner (name or role)", max_length=200, blank=True)
    controls = models.TextField("Controls in place", max_length=5000, blank=True)
    actions = models.ManyToManyField("planning.Action", blank=True, related_name="risks",
                                     verbose_name="Plan actions that reduce it")
    likelihood = models.CharField("Current likelihood", max_length=10)
    impact = models.CharField("Current impact", max_length=10)
    target_likelihood = models.CharField("Target likelihood", max_length=10)
    target_impact = models.CharField("Target impact", max_length=10)
    tolerance = models.CharField("Tolerance", max_length=100,
                                 help_text="The highest rating band the partnership accepts for this risk")
    review_on = models.DateField("Next review")
    closed = models.BooleanField(default=False)
    example = models.BooleanField(default=False)

    history = HistoricalRecords(m2m_fields=[actions])

    class Meta:
        ordering = ["reference", "pk"]
        constraints = [models.UniqueConstraint(fields=["partnership", "reference"], name="risk_reference_unique")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("delivery:risk", kwargs={"slug": self.partnership.slug, "pk": self.pk})

    def check_against(self, matrix: risk_matrix.RiskMatrix) -> None:
        """Every score is one of the matrix's levels and the tolerance one of its bands."""
        errors = {}
        for name, axis in (("likelihood", "likelihood"), ("impact", "impact"),
                           ("target_likelihood", "likelihood"), ("target_impact", "impact")):
            try:
                matrix.level(axis, getattr(self, name))
            except ValueError as exc:
                errors[name] = str(exc)
        if self.tolerance not in [b.name for b in matrix.bands]:
            errors["tolerance"] = (f"{self.tolerance!r} is not a rating band of the {matrix.name} matrix (use one of: "
                                   f"{', '.join(b.name for b in matrix.bands)})")
        if errors:
            raise ValidationError(errors)


class RiskReview(models.Model):
    """A risk's rating as reviewed on a date: the history of its ratings, in the matrix's terms of the day."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    likelihood = models.CharField(max_length=10)
    impact = models.CharField(max_length=10)
    rating = models.CharField(max_length=100)
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=1000, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"{self.risk.reference} reviewed on {self.reviewed_on}"
