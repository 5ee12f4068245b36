"""Funding streams, what they are allocated to, spend reported in returns, and claims. Money is
``Decimal`` to the penny throughout."""
from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Partnership

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(ZERO)]}


class FundingStream(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="funding_streams")
    source = models.CharField(max_length=20, help_text="What the funding is (planning's funding sources)")
    name = models.CharField(max_length=200, help_text="For example PCC Crime Reduction Grant 2025-26")
    funder = models.CharField(max_length=200, blank=True, help_text="For example Office of the Police and Crime "
                                                                     "Commissioner")
    financial_year = models.CharField("Financial year", max_length=7, help_text="Like 2025-26")
    amount = models.DecimalField("Amount (£)", **MONEY)
    conditions = models.TextField("Conditions of the grant", blank=True, max_length=5000,
                                  help_text="What it may and may not fund, and when it must be claimed")
    example = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name", "financial_year"],
                                               name="funding_stream_unique")]

    def __str__(self):
        return f"{self.name} ({self.financial_year})"

    def get_absolute_url(self):
        return reverse("delivery:stream", kwargs={"slug": self.partnership.slug, "pk": self.pk})


class Allocation(models.Model):
    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="allocations")
    action = models.ForeignKey("planning.Action", on_delete=models.CASCADE, related_name="allocations")
    amount = models.DecimalField("Amount (£)", **MONEY)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["stream", "action"], name="one_allocation_per_action")]

    def __str__(self):
        return f"{self.stream.name} to {self.action}"


class ReturnSpend(models.Model):
    """Spend to date from one allocation, as a quarterly return reported it (locked with the return)."""

    quarterly_return = models.ForeignKey("delivery.QuarterlyReturn", on_delete=models.CASCADE, related_name="spend")
    allocation = models.ForeignKey(Allocation, on_delete=models.RESTRICT, related_name="spend")
    spent_to_date = models.DecimalField("Spent to date (£)", **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quarterly_return", "allocation"], name="one_spend_per_allocation")]

    def __str__(self):
        return f"£{self.spent_to_date:,.2f} from {self.allocation.stream.name}"

    def save(self, *args, **kwargs):
        # Part of a submitted return, so locked with it: a change is a correction of the return.
        if self.pk and type(self).objects.filter(pk=self.pk).exists():
            from .returns import ReturnLocked

            raise ReturnLocked("Spend reported in a submitted return cannot be changed: submit a correction")
        super().save(*args, **kwargs)


class Claim(models.Model):
    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="claims")
    quarter = models.CharField(max_length=10, help_text="The quarter the claim covers, like 2025-26-Q2")
    amount = models.DecimalField("Amount claimed (£)", **MONEY)
    claimed_on = models.DateField("Date claimed")
    reference = models.CharField(max_length=100, blank=True)
    paid_on = models.DateField("Date paid", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claimed_on", "pk"]

    def __str__(self):
        return f"Claim of £{self.amount:,.2f} on {self.stream.name}"
