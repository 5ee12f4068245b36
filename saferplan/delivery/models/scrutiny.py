"""The annual report to the council's Crime and Disorder scrutiny committee: its figures come from
the system when it is drawn; its narrative (the parts a report writer words) is kept here, with
its history."""
from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Partnership


class ScrutinyReport(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="scrutiny_reports")
    financial_year = models.CharField("Year reported on", max_length=7, help_text="Like 2025-26")
    committee = models.CharField(max_length=200, default="Crime and Disorder Scrutiny Committee")
    meeting_on = models.DateField("Date of the meeting", null=True, blank=True)
    purpose = models.TextField("Purpose of the report", max_length=3000, blank=True)
    recommendations = models.TextField("Recommendations", max_length=3000, blank=True,
                                       help_text="One recommendation a line")
    background = models.TextField(max_length=10000, blank=True)
    considerations = models.TextField("Main considerations", max_length=20000, blank=True)
    consultation = models.TextField(max_length=5000, blank=True)
    financial = models.TextField("Financial implications", max_length=5000, blank=True)
    legal = models.TextField("Legal implications", max_length=5000, blank=True)
    equality = models.TextField("Equality implications", max_length=5000, blank=True)
    risk = models.TextField("Risk implications", max_length=5000, blank=True)
    author = models.CharField("Report author (name and job title)", max_length=200, blank=True)
    contact = models.CharField("Contact (work email or telephone)", max_length=200, blank=True)
    example = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year"]
        constraints = [models.UniqueConstraint(fields=["partnership", "financial_year"],
                                               name="one_scrutiny_report_per_year")]

    def __str__(self):
        return f"Report to scrutiny {self.financial_year}"

    @property
    def recommendation_lines(self) -> list[str]:
        return [line.strip() for line in self.recommendations.splitlines() if line.strip()]
