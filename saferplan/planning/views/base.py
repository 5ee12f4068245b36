"""What every planning page shares: the partnership's plan, the section's navigation, and the
add, change and remove pages."""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from saferplan.core.pages import PartnershipMixin, PartnershipObjectMixin, RemovePage
from saferplan.partnership.audit import history_of

from .. import services
from ..models import FROZEN_MESSAGE, Plan


def _url(name, partnership, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": partnership.slug, **kwargs})


PLANNING_NAV = [
    ("index", "The plan"),
    ("workshops", "Workshops"),
    ("prioritisation", "Prioritisation"),
    ("eia", "Equality impact"),
    ("approval", "Approval"),
    ("you-said", "You said, we did"),
]


class PlanningMixin(PartnershipMixin):
    capability = "view_plan"

    @property
    def plan(self) -> Plan | None:
        if not hasattr(self, "_plan"):
            self._plan = services.current_plan(self.partnership)
        return self._plan

    def require_plan(self):
        if self.plan is None:
            raise Http404("No plan has been started")
        return self.plan

    def context(self, **extra):
        return {"partnership": self.partnership, "plan": self.plan, "access": self.access,
                "planning_nav": PLANNING_NAV, **extra}

    def can(self, capability: str) -> bool:
        return self.access.can(capability)

    def history_for(self, obj):
        return history_of(obj) if self.can("view_history") else None


# --- Add, change and remove: core.pages bases, refused once the plan is adopted -------------------


def post_only(request, back_url: str, back_text: str) -> HttpResponse:
    """What a GET on an address that only takes a form's POST answers: a page saying where the
    button is (still a 405, so nothing is done by following a link)."""
    response = render(request, "planning/post_only.html", {"back_url": back_url, "back_text": back_text},
                      status=405)
    response["Allow"] = "POST"
    return response


class PlanningRecord(PartnershipObjectMixin, PlanningMixin):
    """One kind of the plan's records on the core add, change and remove pages. A part of the
    plan's structure (``frozen_with_plan``) is refused once the plan is adopted: the model refuses
    too; this gives the person the reason and the way forward."""

    capability = "change_plan"
    template_name = "core/form.html"
    frozen_with_plan = False

    def list_url(self) -> str:
        return _url("index", self.partnership)

    def editable(self, obj) -> bool:
        plan = getattr(obj, "plan", None) if self.frozen_with_plan and obj is not None else None
        return plan is None or plan.editable

    def not_editable_message(self, obj) -> str:
        return FROZEN_MESSAGE + "."

    def not_editable_url(self, obj) -> str:
        return _url("index", self.partnership) + "#revise"

    def success_url(self, obj) -> str:
        return self.back_url(obj)

    def get_success_url(self):
        return self.success_url(self.object)

    def intro(self) -> str:
        return ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(plan=self.plan, planning_nav=PLANNING_NAV, intro=self.intro())
        return context


class RecordRemove(PlanningRecord, RemovePage):
    template_name = "planning/confirm_remove.html"

    def after_url(self, obj) -> str:
        return self.list_url()
