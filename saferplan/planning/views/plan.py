"""Pages for the plan itself: its overview, start, details, publication, revision and history."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import UpdatePage

from .. import services
from ..forms import PlanForm, PublishForm
from ..models import CandidateIssue, IllegalMove, Plan, PlanStatus, Workshop
from .base import PlanningMixin, PlanningRecord, _url


# --- The plan -------------------------------------------------------------------------------------


class PlanOverview(PlanningMixin, TemplateView):
    template_name = "planning/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        context.update(self.context())
        if plan is None:
            context["period"] = services.plan_period(self.partnership)
            return context
        themes = plan.themes.prefetch_related("priorities__actions__kpis", "priorities__actions__owner",
                                              "priorities__evidence")
        context.update(
            themes=themes,
            counts={"themes": plan.themes.count(), "priorities": plan.priorities().count(),
                    "actions": plan.actions().count(), "kpis": plan.kpis().count()},
            funding=services.snapshot(plan)["funding"],
            issues=CandidateIssue.objects.filter(partnership=self.partnership).count(),
            workshops=Workshop.objects.filter(partnership=self.partnership).count(),
            steps=plan.approval_steps.all(),
            eia=getattr(plan, "eia", None) if hasattr(plan, "eia") else None,
            next_status=services.next_status(plan),
            history=self.history_for(plan),
            editable=plan.editable,
            revision=services.revision_in_progress(plan) if plan.status == PlanStatus.ADOPTED else None,
            adopted=services.adopted_plan(self.partnership) if plan.revision_of_id else None,
        )
        return context


class PlanRevise(PlanningMixin, View):
    """Start a revision of the adopted plan: a new draft version that goes through approval."""

    capability = "change_plan"

    def get(self, request, slug):
        self.require_plan()
        return render(request, "planning/revise.html", self.context(back_url=_url("index", self.partnership)))

    def post(self, request, slug):
        plan = self.require_plan()
        try:
            revision = services.start_revision(plan, request.user)
        except IllegalMove as exc:
            messages.warning(request, exc.messages[0] + ".")
            return redirect("planning:index", slug=slug)
        messages.success(request, f"A revision of “{revision}” has been started as a draft. The adopted plan stays "
                                  "in force, and on its public page, until the revision is adopted.")
        return redirect("planning:index", slug=slug)


class PlanStart(PlanningMixin, View):
    capability = "change_plan"

    def get(self, request, slug):
        start, end = services.plan_period(self.partnership)
        form = PlanForm(initial={"title": services.default_title(self.partnership, start, end),
                                 "starts_on": start, "ends_on": end})
        return self._render(form)

    def post(self, request, slug):
        form = PlanForm(request.POST)
        if form.is_valid() and (adopted := services.adopted_plan_during(
                self.partnership, form.cleaned_data["starts_on"], form.cleaned_data["ends_on"])):
            form.add_error("starts_on", f"“{adopted}” is adopted for {adopted.period_label}: to change the plan "
                                        "for that period, start a revision of it from the plan’s page")
        if form.is_valid():
            plan = services.start_plan(self.partnership, **form.cleaned_data)
            messages.success(request, f"“{plan}” has been started.")
            return redirect("planning:index", slug=slug)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "core/form.html", self.context(
            form=form, heading="Start the plan", button="Start the plan", back_url=_url("index", self.partnership),
            intro="Community safety plans run for three years from 1 April. You can change any of this later."))


class PlanEdit(PlanningRecord, UpdatePage):
    model = Plan
    form_class = PlanForm
    noun = "plan"

    def get_object(self, queryset=None):
        return self.require_plan()

    def editable(self, obj):
        return obj.editable

    def heading(self):
        return "Change the plan’s details"

    def get_success_message(self, cleaned_data):
        return "The plan’s details have been saved."


class PlanPublish(PlanningMixin, View):
    capability = "change_plan"

    def get(self, request, slug):
        plan = self.require_plan()
        return self._render(PublishForm(initial={"published": "yes" if plan.published else "no"}))

    def post(self, request, slug):
        plan = self.require_plan()
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self._render(form)
        try:
            services.publish(plan, form.cleaned_data["published"])
        except IllegalMove as exc:
            form.add_error("published", exc.messages[0])
            return self._render(form)
        if plan.published:
            messages.success(request, "The plan and “You said, we did” are now on their public pages.")
        else:
            messages.success(request, "The plan is no longer public.")
        return redirect("planning:index", slug=slug)

    def _render(self, form):
        plan = self.plan
        intro = ("Publishing shows the plan, its plan on a page and “You said, we did” to everyone, at "
                 f"{reverse('public-plan:plan', kwargs={'partnership': self.partnership.slug})}.")
        if plan.status != PlanStatus.ADOPTED:
            intro += " The plan has not been adopted yet: it will be shown as a draft."
        return render(self.request, "core/form.html", self.context(
            form=form, heading="Publish the plan", button="Save", back_url=_url("index", self.partnership),
            intro=intro))


class PlanHistory(PlanningMixin, TemplateView):
    template_name = "planning/history.html"
    capability = "view_history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.require_plan()
        context.update(self.context(history=services.plan_history(plan)))
        return context
