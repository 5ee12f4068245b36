"""What every planning page shares: the partnership's plan, the section's navigation, and the
add, change and remove pages."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views import View

from saferplan.partnership.audit import history_of
from saferplan.partnership.forms import ConfirmRemoveForm
from saferplan.partnership.views import PartnershipMixin

from .. import services
from ..models import FROZEN_MESSAGE, FrozenPlan, Plan


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


# --- Generic add, change and remove ---------------------------------------------------------------


def post_only(request, back_url: str, back_text: str) -> HttpResponse:
    """What a GET on an address that only takes a form's POST answers: a page saying where the
    button is (still a 405, so nothing is done by following a link)."""
    response = render(request, "planning/post_only.html", {"back_url": back_url, "back_text": back_text},
                      status=405)
    response["Allow"] = "POST"
    return response


class FrozenGuard:
    """Pages that change the plan's structure: refused once the plan is adopted (the model refuses
    too; this gives the person the reason and the way forward instead of an error)."""

    frozen_with_plan = False

    def plan_of(self, obj):
        return getattr(obj, "plan", None) if self.frozen_with_plan else None

    def refuse_if_frozen(self, obj):
        plan = self.plan_of(obj)
        if plan is not None and not plan.editable:
            return self.frozen_response()
        return None

    def frozen_response(self):
        messages.warning(self.request, FROZEN_MESSAGE + ".")
        return redirect(_url("index", self.partnership) + "#revise")


class FormPage(FrozenGuard, PlanningMixin, View):
    """Add (no pk) or change (pk) one object with a ModelForm."""

    model = None
    form_class = None
    template = "planning/form.html"
    noun = ""
    capability = "change_plan"

    def queryset(self):
        raise NotImplementedError

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        return self.new_object()

    def new_object(self):
        return self.model()

    def form_kwargs(self, obj):
        return {}

    def get(self, request, slug, **kwargs):
        obj = self.get_object()
        if refused := self.refuse_if_frozen(obj):
            return refused
        return self.render_form(self.form_class(instance=obj, initial=self.initial(obj), **self.form_kwargs(obj)), obj)

    def initial(self, obj):
        return {}

    def post(self, request, slug, **kwargs):
        obj = self.get_object()
        if refused := self.refuse_if_frozen(obj):
            return refused
        form = self.form_class(request.POST, instance=obj, **self.form_kwargs(obj))
        if form.is_valid():
            adding = obj.pk is None
            try:
                with transaction.atomic():
                    saved = self.save(form, adding)
            except FrozenPlan:
                return self.frozen_response()
            messages.success(request, self.message(saved, adding))
            return redirect(self.success_url(saved))
        return self.render_form(form, obj)

    def save(self, form, adding):
        return form.save()

    def message(self, obj, adding):
        return f"{capfirst(self.noun)} “{obj}” has been {'added' if adding else 'saved'}."

    def success_url(self, obj):
        return _url("index", self.partnership)

    def back_url(self, obj):
        return self.success_url(obj) if obj.pk else _url("index", self.partnership)

    def heading(self, obj):
        return f"Change {self.noun}" if obj.pk else f"Add {'an' if self.noun[0] in 'aeiou' else 'a'} {self.noun}"

    def render_form(self, form, obj):
        return render(self.request, self.template, self.context(
            form=form, object=obj, heading=self.heading(obj), back_url=self.back_url(obj),
            button="Save changes" if obj.pk else f"Add {self.noun}", intro=self.intro(obj), **self.extra(obj)))

    def intro(self, obj):
        return ""

    def extra(self, obj):
        return {}


class RemovePage(FrozenGuard, PlanningMixin, View):
    template = "planning/confirm_remove.html"
    noun = ""
    capability = "change_plan"

    def queryset(self):
        raise NotImplementedError

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def consequences(self, obj):
        return []

    def back_url(self, obj):
        return _url("index", self.partnership)

    def after_url(self, obj):
        return _url("index", self.partnership)

    def get(self, request, slug, pk):
        obj = self.get_object()
        if refused := self.refuse_if_frozen(obj):
            return refused
        return render(request, self.template, self.context(object=obj, noun=self.noun, form=ConfirmRemoveForm(),
                                                           consequences=self.consequences(obj),
                                                           back_url=self.back_url(obj)))

    def post(self, request, slug, pk):
        obj = self.get_object()
        if refused := self.refuse_if_frozen(obj):
            return refused
        after = self.after_url(obj)
        name = str(obj)
        try:
            obj.delete()
        except FrozenPlan:
            return self.frozen_response()
        messages.success(request, f"{capfirst(self.noun)} “{name}” has been removed.")
        return redirect(after)
