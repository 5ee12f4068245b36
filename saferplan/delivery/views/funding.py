"""Funding: the streams with their balances, and each stream's allocations, spend and claims."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from saferplan.core.pages import CreatePage, DetailPage, RemovePage, UpdatePage

from .. import planning_reads as planning
from ..forms import AllocationForm, ClaimForm, StreamForm
from ..models import Allocation, Claim, FundingStream
from saferplan.core.periods import FinancialYear
from ..services import funding
from .base import DeliveryMixin, Page, url


class Funding(Page):
    template_name = "delivery/funding.html"
    nav = "funding"

    def data(self):
        summaries = funding.summaries(self.partnership)
        totals = {k: sum((getattr(s, k) for s in summaries), Decimal("0")) for k in
                  ("allocated", "spent", "remaining", "claimed")}
        totals["amount"] = sum((s.stream.amount for s in summaries), Decimal("0"))
        return {"summaries": summaries, "totals": {k: funding.pounds(v) for k, v in totals.items()},
                "rules": funding.FLAG_RULES, "example": any(s.stream.example for s in summaries)}


class StreamPages(DeliveryMixin):
    model = FundingStream
    noun = "funding stream"
    form_class = StreamForm
    capability = "change_funding"
    template_name = "core/form.html"

    def list_url(self):
        return url("funding", self.partnership)

    def save(self, form):
        stream = form.instance
        if stream.pk and funding.allocated(stream) > stream.amount:
            raise ValidationError(f"{funding.pounds(funding.allocated(stream))} is already allocated from this "
                                  "stream: its amount cannot be less than that")
        return form.save()


class StreamAdd(StreamPages, CreatePage):
    pass


class StreamEdit(StreamPages, UpdatePage):
    pass


class StreamRemove(StreamPages, RemovePage):
    template_name = RemovePage.template_name
    def consequences(self, obj):
        return [f"Its {obj.allocations.count()} allocations and {obj.claims.count()} claims go with it",
                "It cannot be removed once a return has reported spend from it"]


class StreamDetail(DeliveryMixin, DetailPage):
    model = FundingStream
    noun = "funding stream"
    template_name = "delivery/stream.html"

    def list_url(self):
        return url("funding", self.partnership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stream = self.object
        context.update(s=funding.summary(stream), by_quarter=funding.spend_by_quarter(stream),
                       claims=stream.claims.all(), rules=funding.FLAG_RULES)
        return context


class OfStream(DeliveryMixin):
    """Pages of one stream's allocations and claims: the stream comes from the URL."""

    partnership_path = "stream__partnership"
    capability = "change_funding"
    template_name = "core/form.html"

    @property
    def stream(self) -> FundingStream:
        if not hasattr(self, "_stream"):
            self._stream = get_object_or_404(FundingStream, partnership=self.partnership, pk=self.kwargs["stream"])
        return self._stream

    def new_object(self):
        return self.model(stream=self.stream)

    def list_url(self):
        return self.stream.get_absolute_url()

    def back_url(self, obj):
        return self.stream.get_absolute_url()

    def get_success_url(self):
        return self.stream.get_absolute_url()

    def caption(self):
        return str(self.stream)


class AllocationAdd(OfStream, CreatePage):
    model = Allocation
    noun = "allocation"
    form_class = AllocationForm

    def form_kwargs(self):
        actions = planning.actions_of(self.plan).exclude(allocations__stream=self.stream) if self.plan else \
            planning.Action.objects.none()
        return {"actions": actions}

    def heading(self):
        return f"Allocate money from {self.stream}"

    def button(self):
        return "Allocate the money"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        s = funding.summary(self.stream)
        context["intro"] = (f"{funding.pounds(s.unallocated)} of {funding.pounds(self.stream.amount)} is left to "
                            f"allocate. Conditions: {self.stream.conditions or 'none recorded'}")
        return context

    def save(self, form):
        return funding.save_allocation(form.instance)

    def get_success_message(self, cleaned_data):
        return f"{funding.pounds(self.object.amount)} has been allocated to “{self.object.action.title}”."


class AllocationRemove(OfStream, RemovePage):
    template_name = RemovePage.template_name
    model = Allocation
    noun = "allocation"

    def get_queryset(self):
        return super().get_queryset().filter(stream=self.stream)

    def after_url(self, obj):
        return self.stream.get_absolute_url()

    def consequences(self, obj):
        return ["It cannot be removed once a return has reported spend from it: the spend would lose its funding"]


class ClaimAdd(OfStream, CreatePage):
    model = Claim
    noun = "claim"
    form_class = ClaimForm

    def form_kwargs(self):
        return {"quarters": FinancialYear.parse(self.stream.financial_year).quarters()}

    def heading(self):
        return f"Record a claim on {self.stream}"

    def button(self):
        return "Record the claim"

    def get_success_message(self, cleaned_data):
        return f"The claim of {funding.pounds(self.object.amount)} has been recorded."
