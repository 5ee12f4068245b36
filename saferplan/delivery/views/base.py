"""What every delivery page shares: the partnership and its role check (``PartnershipMixin``), the
plan being delivered, and the navigation between delivery's pages.

Records (risks, funding streams, allocations, claims, returns) are added, changed, shown and
removed through core's page bases (``saferplan.core.pages``); forms that are not one record's
fields (opening a round, a return with its spend lines, a review, the matrix) use core's
``ActionPage`` with delivery's navigation (``FormPage``).
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from saferplan.partnership.audit import history_of
from saferplan.core.pages import ActionPage, PartnershipMixin

from .. import planning_reads as planning
from saferplan.core.periods import Quarter

DELIVERY_NAV = [
    ("index", "Overview"),
    ("actions", "Actions"),
    ("rounds", "Quarterly returns"),
    ("kpis", "KPIs"),
    ("risks", "Risks"),
    ("funding", "Funding"),
    ("jag", "JAG tasking"),
    ("reviews", "Annual review"),
]


def url(name, partnership, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"slug": partnership.slug, **kwargs})


class DeliveryMixin(PartnershipMixin):
    capability = "view_delivery"
    nav = ""

    @property
    def plan(self):
        if not hasattr(self, "_plan"):
            self._plan = planning.plan_in_delivery(self.partnership)
        return self._plan

    def require_plan(self):
        if self.plan is None:
            raise Http404("No plan has been adopted")
        return self.plan

    def quarter(self, key: str) -> Quarter:
        try:
            return Quarter.parse(key)
        except ValueError:
            raise Http404("No such quarter") from None

    def context(self, **extra):
        return {"partnership": self.partnership, "plan": self.plan, "access": self.access,
                "delivery_nav": DELIVERY_NAV, "nav_current": self.nav, **extra}

    def history_for(self, obj):
        return history_of(obj) if self.access.can("view_history") else None


class Page(DeliveryMixin, TemplateView):
    """A page that shows: ``data()`` gives its context."""

    def get_context_data(self, **kwargs):
        return self.context(**self.data())

    def data(self) -> dict:
        return {}


class FormPage(DeliveryMixin, ActionPage):
    """Core's form page for what is not one record, with delivery's plan and navigation."""


def post_only(request, back_url: str, back_text: str) -> HttpResponse:
    response = render(request, "planning/post_only.html", {"back_url": back_url, "back_text": back_text}, status=405)
    response["Allow"] = "POST"
    return response


def done(request, text: str):
    messages.success(request, text)
