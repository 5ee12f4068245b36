"""Problems tasked to the Joint Action Group: place-based, worked through with a SARA record
(scanning, analysis, response, assessment). They hold no personal data about individuals."""
from __future__ import annotations

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Organisation, Partnership


class JagStatus(models.TextChoices):
    OPEN = "open", "Open"
    MONITORING = "monitoring", "Monitoring"
    ESCALATED = "escalated", "Escalated to the partnership"
    CLOSED = "closed", "Closed"


class JagProblem(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="jag_problems")
    reference = models.CharField(max_length=20, help_text="For example J1")
    title = models.CharField("Problem", max_length=200)
    location = models.CharField("Place", max_length=300,
                                help_text="A street, park, estate or area: for example Melton Mowbray town centre")
    ward = models.CharField("Ward (optional)", max_length=100, blank=True)
    lsoa_code = models.CharField("LSOA code", max_length=9, blank=True)
    lsoa_name = models.CharField("LSOA name", max_length=100, blank=True)
    # The assessment's finding (by id, with its title and period as they were when linked), read
    # through the assessment's selectors: another stage's record is cited, never joined to.
    finding_id = models.PositiveBigIntegerField(null=True, blank=True)
    finding_title = models.CharField(max_length=200, blank=True)
    finding_period = models.CharField(max_length=20, blank=True)
    description = models.TextField("What is happening", max_length=5000)
    owner = models.ForeignKey(Organisation, on_delete=models.RESTRICT, related_name="jag_problems",
                              verbose_name="Lead organisation")
    tasks = models.TextField("Actions agreed", max_length=5000, blank=True,
                             help_text="One action a line, with the organisation that does it")
    status = models.CharField(max_length=20, choices=JagStatus.choices, default=JagStatus.OPEN)
    review_on = models.DateField("Next review at the JAG")
    escalation_reason = models.TextField("Why it is escalated to the partnership", max_length=2000, blank=True)
    scanning = models.TextField("Scanning: what the problem is and how it came to notice", max_length=5000, blank=True)
    analysis = models.TextField("Analysis: when, where and why it happens", max_length=5000, blank=True)
    response = models.TextField("Response: what partners do about it", max_length=5000, blank=True)
    assessment = models.TextField("Assessment: what difference it made", max_length=5000, blank=True)
    opened_on = models.DateField("Tasked on")
    example = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "reference", "pk"]
        constraints = [models.UniqueConstraint(fields=["partnership", "reference"], name="jag_reference_unique")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("delivery:jag-problem", kwargs={"slug": self.partnership.slug, "pk": self.pk})

    @property
    def finding_period_label(self) -> str:
        from saferplan.core.periods import Period

        try:
            return Period.parse(self.finding_period).label() if self.finding_period else ""
        except ValueError:
            return self.finding_period

    @property
    def task_lines(self) -> list[str]:
        return [line.strip() for line in self.tasks.splitlines() if line.strip()]
