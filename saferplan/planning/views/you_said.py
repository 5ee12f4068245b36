"""Pages for "You said, we did"."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import CreatePage, UpdatePage

from .. import evidence_sources, services
from ..forms import SuggestionForm, YouSaidForm
from ..models import FrozenPlan, IllegalMove, YouSaidSuggestion, YouSaidWeDid
from .base import PlanningMixin, PlanningRecord, RecordRemove, _url, post_only


# --- You said, we did ------------------------------------------------------------------------------


class YouSaid(PlanningMixin, TemplateView):
    template_name = "planning/you_said.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        rows = plan.you_said.prefetch_related("priorities", "actions", "evidence") if plan else []
        context.update(self.context(rows=rows, suggestions=services.open_suggestions(plan) if plan else [],
                                    can_draft=bool(plan and plan.editable and services.suggested_you_said(plan))))
        return context


class YouSaidRecord(PlanningRecord):
    model = YouSaidWeDid
    form_class = YouSaidForm
    noun = "row"
    partnership_path = "plan__partnership"

    def list_url(self):
        return _url("you-said", self.partnership)

    def back_url(self, obj):
        return self.list_url()

    def success_url(self, obj):
        return _url("you-said", self.partnership) + f"#row-{obj.pk}"

    def form_kwargs(self):
        plan = self.object.plan if self.object else self.require_plan()
        return {"plan": plan, "items": evidence_sources.available(self.partnership)}

    def heading(self):
        return "Change “You said, we did”" if self.object else "Add to “You said, we did”"

    def get_success_message(self, cleaned_data):
        return f"The row has been {self.action}."

    def save(self, form):
        row = form.save()
        for item in form.chosen_items():
            services.cite(row, item)
        return row


class YouSaidAdd(YouSaidRecord, CreatePage):
    def new_object(self):
        plan = self.require_plan()
        return YouSaidWeDid(plan=plan, order=services.next_order(plan.you_said.all()))


class YouSaidEdit(YouSaidRecord, UpdatePage):
    pass


class YouSaidRemove(YouSaidRecord, RecordRemove):
    pass


class YouSaidSuggest(PlanningMixin, View):
    """Draft suggestions from the consultation's results: shown apart, for a person to accept or dismiss."""

    capability = "change_plan"

    def get(self, request, slug):
        return post_only(request, _url("you-said", self.partnership),
                         "Go to “You said, we did” to draft rows from the consultation")

    def post(self, request, slug):
        plan = self.require_plan()
        try:
            made = services.draft_suggestions(plan)
        except FrozenPlan as exc:
            messages.warning(request, exc.messages[0] + ".")
            return redirect("planning:you-said", slug=slug)
        n = len(made)
        messages.success(request, f"{n} suggestion{'s' if n != 1 else ''} drafted from the consultation’s results: "
                                  "accept, change or dismiss each. None is in the plan until it is accepted.")
        return redirect(_url("you-said", self.partnership) + "#suggestions")


class SuggestionMixin(PlanningMixin):
    capability = "change_plan"

    def get_suggestion(self) -> YouSaidSuggestion:
        return get_object_or_404(YouSaidSuggestion, plan__partnership=self.partnership, pk=self.kwargs["pk"],
                                 status=YouSaidSuggestion.Status.SUGGESTED)

    def refused(self, exc):
        messages.warning(self.request, exc.messages[0] + ".")
        return redirect(_url("you-said", self.partnership) + "#suggestions")


class SuggestionAccept(SuggestionMixin, View):
    """Accept a suggestion as drafted (the button beside it), or change it first (this page)."""

    def get(self, request, slug, pk):
        suggestion = self.get_suggestion()
        return self._render(SuggestionForm(instance=suggestion), suggestion)

    def post(self, request, slug, pk):
        suggestion = self.get_suggestion()
        if request.POST.get("as_drafted"):
            fields = {}
        else:
            form = SuggestionForm(request.POST, instance=suggestion)
            if not form.is_valid():
                return self._render(form, suggestion)
            fields = {"you_said": form.cleaned_data["you_said"], "we_did": form.cleaned_data["we_did"],
                      "actions": form.cleaned_data.get("actions") or ()}
        try:
            row = services.accept_suggestion(suggestion, request.user, **fields)
        except (IllegalMove, FrozenPlan) as exc:
            return self.refused(exc)
        messages.success(request, "The suggestion has been accepted: it is now a row of “You said, we did”.")
        return redirect(_url("you-said", self.partnership) + f"#row-{row.pk}")

    def _render(self, form, suggestion):
        return render(self.request, "core/form.html", self.context(
            form=form, heading="Change the suggestion, then accept it", button="Accept this row",
            caption="You said, we did", back_url=_url("you-said", self.partnership) + "#suggestions",
            intro="Drafted from the consultation’s results. It becomes a row of “You said, we did”, citing the "
                  "result it was drafted from, only when you accept it."))


class SuggestionDismiss(SuggestionMixin, View):
    def get(self, request, slug, pk):
        return post_only(request, _url("you-said", self.partnership), "Go to “You said, we did” to dismiss it")

    def post(self, request, slug, pk):
        suggestion = self.get_suggestion()
        try:
            services.dismiss_suggestion(suggestion, request.user)
        except (IllegalMove, FrozenPlan) as exc:
            return self.refused(exc)
        messages.success(request, f"The suggestion “{suggestion}” has been dismissed: it will not be suggested "
                                  "again.")
        return redirect(_url("you-said", self.partnership) + "#suggestions")
