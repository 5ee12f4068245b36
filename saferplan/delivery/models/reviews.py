"""The annual review of the plan: what changed and why, the refreshed assessment period, and the
revision (a new draft version of the adopted plan) that carries the changes through the board
and the approval route. The review is sent to the Police and Crime Commissioner as a document."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Partnership


class AnnualReview(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="annual_reviews")
    # The adopted plan reviewed; it stays frozen and public until the revision is adopted.
    plan = models.ForeignKey("planning.Plan", on_delete=models.CASCADE, related_name="annual_reviews")
    revision = models.OneToOneField("planning.Plan", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="annual_review")
    financial_year = models.CharField("Year reviewed", max_length=7, help_text="Like 2025-26")
    assessment_period = models.CharField("Assessment period of the refresh", max_length=15, blank=True,
                                         help_text="Inclusive months, like 2024-10:2025-09")
    assessment_period_before = models.CharField(max_length=15, blank=True)
    what_changed = models.TextField("What changed", max_length=10000, blank=True,
                                    help_text="Priorities, actions and KPIs added, dropped or changed")
    why = models.TextField("Why", max_length=10000, blank=True,
                           help_text="What in the refreshed assessment, the returns or the consultation led to it")
    pcc_name = models.CharField("Police and Crime Commissioner", max_length=200, blank=True,
                                help_text="For example, Office of the Police and Crime Commissioner for Leicestershire")
    sent_to_pcc_on = models.DateField("Sent to the Police and Crime Commissioner on", null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    example = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "-pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "financial_year"], name="one_review_per_plan_year")]

    def __str__(self):
        return f"Annual review {self.financial_year}"

    def get_absolute_url(self):
        return reverse("delivery:review", kwargs={"slug": self.partnership.slug, "pk": self.pk})
