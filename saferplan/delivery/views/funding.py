"""Funding: the streams with their balances, one stream's allocations, spend and claims."""
from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404

from .. import planning_reads as planning
from ..forms import AllocationForm, ClaimForm, StreamForm
from ..models import Allocation, FundingStream
from ..quarters import financial_year_of, quarters_between
from ..services import funding
from .base import FormPage, Page, done, url


class Funding(Page):
    template_name = "delivery/funding.html"
    nav = "funding"

    def data(self):
        summaries = funding.summaries(self.partnership)
        totals = {k: sum((getattr(s, k) for s in summaries), Decimal("0")) for k in
                  ("allocated", "spent", "remaining", "claimed")}
        totals["amount"] = sum((s.stream.amount for s in summaries), Decimal("0"))
        return {"summaries": summaries, "totals": {k: funding.pounds(v) for k, v in totals.items()},
                "rules": funding.FLAG_RULES, "pounds": funding.pounds,
                "example": any(s.stream.example for s in summaries)}


class StreamMixin:
    def get_stream(self) -> FundingStream:
        return get_object_or_404(FundingStream, partnership=self.partnership, pk=self.kwargs["pk"])


class StreamDetail(StreamMixin, Page):
    template_name = "delivery/stream.html"
    nav = "funding"

    def data(self):
        stream = self.get_stream()
        return {"s": funding.summary(stream), "by_quarter": funding.spend_by_quarter(stream),
                "claims": stream.claims.all(), "rules": funding.FLAG_RULES, "history": self.history_for(stream)}


class StreamForm_(FormPage):
    capability = "change_funding"
    nav = "funding"

    def make_form(self, data=None):
        self.object = (get_object_or_404(FundingStream, partnership=self.partnership, pk=self.kwargs["pk"])
                       if "pk" in self.kwargs else FundingStream(partnership=self.partnership))
        return StreamForm(data, instance=self.object)

    @property
    def heading(self):
        return "Change the funding stream" if self.object.pk else "Add a funding stream"

    @property
    def button(self):
        return "Save changes" if self.object.pk else "Add the funding stream"

    def page(self):
        return {"back_url": self.object.get_absolute_url() if self.object.pk else url("funding", self.partnership)}

    def act(self, form):
        adding = self.object.pk is None
        stream = form.save(commit=False)
        if stream.pk and funding.allocated(stream) > stream.amount:
            from django.core.exceptions import ValidationError

            raise ValidationError({"amount": f"{funding.pounds(funding.allocated(stream))} is already allocated from "
                                             "this stream: the amount cannot be less than that"})
        stream.save()
        done(self.request, f"The funding stream “{stream}” has been {'added' if adding else 'saved'}.")
        return stream.get_absolute_url()


class AllocationAdd(StreamMixin, FormPage):
    capability = "change_funding"
    nav = "funding"
    button = "Allocate the money"

    def make_form(self, data=None):
        self.stream = self.get_stream()
        actions = list(planning.actions_of(self.plan).exclude(allocations__stream=self.stream)) if self.plan else []
        return AllocationForm(data, actions=actions)

    @property
    def heading(self):
        return f"Allocate money from {self.stream}"

    def page(self):
        s = funding.summary(self.stream)
        return {"back_url": self.stream.get_absolute_url(),
                "intro": f"{funding.pounds(s.unallocated)} of {funding.pounds(self.stream.amount)} is left to "
                         f"allocate. Conditions: {self.stream.conditions or 'none recorded'}"}

    def act(self, form):
        action = form.actions[form.cleaned_data["action"]]
        funding.save_allocation(Allocation(stream=self.stream, action=action, amount=form.cleaned_data["amount"],
                                           note=form.cleaned_data["note"]))
        done(self.request, f"{funding.pounds(form.cleaned_data['amount'])} has been allocated to “{action.title}”.")
        return self.stream.get_absolute_url()


class ClaimAdd(StreamMixin, FormPage):
    capability = "change_funding"
    nav = "funding"
    button = "Record the claim"

    def make_form(self, data=None):
        self.stream = self.get_stream()
        start, end = financial_year_of(self.stream.financial_year)
        return ClaimForm(data, quarters=quarters_between(start, end))

    @property
    def heading(self):
        return f"Record a claim on {self.stream}"

    def page(self):
        return {"back_url": self.stream.get_absolute_url()}

    def act(self, form):
        claim = form.save(commit=False)
        claim.stream = self.stream
        claim.save()
        done(self.request, f"The claim of {funding.pounds(claim.amount)} has been recorded.")
        return self.stream.get_absolute_url()
