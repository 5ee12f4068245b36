"""Pages for the prioritisation matrix and its candidate issues."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import CreatePage, UpdatePage

from .. import evidence_sources, services
from ..evidence_sources import AssessmentUnavailable
from ..forms import CandidateIssueForm, ConcernSourceForm, EvidenceForm, JudgementForm, WeightsForm
from ..models import CandidateIssue, Criterion, FrozenPlan
from .base import PlanningMixin, PlanningRecord, RecordRemove, _url, post_only


# --- Prioritisation --------------------------------------------------------------------------------


class Prioritisation(PlanningMixin, TemplateView):
    template_name = "planning/prioritisation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not CandidateIssue.objects.filter(partnership=self.partnership).exists():
            services.ensure_issues(self.partnership)
        weights = services.weights_for(self.partnership)
        rows = services.ranked_issues(self.partnership, weights.as_dict())
        refreshed = max((r.issue.refreshed_at for r in rows if r.issue.refreshed_at), default=None)
        concern = (evidence_sources.concern_results(self.partnership, question_id=self.plan.concern_question_id)
                   if self.plan else None)
        context.update(self.context(rows=rows, weights=weights, criteria=list(Criterion), refreshed=refreshed,
                                    concern=concern,
                                    trend_scores=services.TREND_SCORES,
                                    period=next((r.issue.period for r in rows if r.issue.period), "")))
        return context


class Weights(PlanningMixin, View):
    capability = "score_priorities"

    def get(self, request, slug):
        return self._render(WeightsForm(instance=services.weights_for(self.partnership)))

    def post(self, request, slug):
        form = WeightsForm(request.POST, instance=services.weights_for(self.partnership))
        if form.is_valid():
            form.save()
            messages.success(request, "The weights have been saved and the issues re-ranked.")
            return redirect("planning:prioritisation", slug=slug)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "core/form.html", self.context(
            form=form, heading="Change the weights", button="Save weights", caption="Prioritisation",
            back_url=_url("prioritisation", self.partnership),
            intro="Each issue scores 0 to 5 on each criterion; its total is the average of the six scores, each "
                  "counted as many times as its weight. A weight of 0 leaves a criterion out."))


class RefreshIssues(PlanningMixin, View):
    capability = "score_priorities"

    def get(self, request, slug):
        return post_only(request, _url("prioritisation", self.partnership),
                         "Go to the prioritisation matrix to refresh the figures")

    def post(self, request, slug):
        try:
            result = services.refresh_issues(self.partnership)
        except AssessmentUnavailable as exc:
            messages.warning(request, f"The figures have not been refreshed. {exc}.")
            return redirect("planning:prioritisation", slug=slug)
        parts = []
        parts.append(f"the assessment for {result.period}" if result.assessment else "no assessment data yet")
        parts.append("the consultation results" if result.consultation else "no consultation results yet")
        messages.success(request, f"The figures have been refreshed from {parts[0]}, {parts[1]} and the workshops.")
        return redirect("planning:prioritisation", slug=slug)


class ConcernSource(PlanningMixin, View):
    """Choose the one survey question the plan's public concern figures come from."""

    capability = "score_priorities"

    def get(self, request, slug):
        plan = self.plan
        initial = {"question": plan.concern_question_id} if plan else {}
        return self._render(ConcernSourceForm(initial=initial, questions=self.questions()))

    def post(self, request, slug):
        plan = self.require_plan()
        form = ConcernSourceForm(request.POST, questions=self.questions())
        if not form.is_valid():
            return self._render(form)
        try:
            services.choose_concern_question(plan, form.cleaned_data["question"])
        except FrozenPlan as exc:
            form.add_error(None, exc.messages[0])
            return self._render(form)
        messages.success(request, "The public concern figures now come from the question chosen, and have been "
                                  "refreshed.")
        return redirect("planning:prioritisation", slug=slug)

    def questions(self):
        return evidence_sources.concern_candidates(self.partnership)

    def _render(self, form):
        if self.plan is None:
            intro = "Start the plan first: the source is recorded on the plan."
        elif not form.fields["question"].choices:
            intro = "No survey has a question asking which issues should be the priorities yet."
        else:
            intro = ("Every public concern percentage in the matrix, the plan and its documents is of the people who "
                     "answered this one question, so that figures from different surveys are never mixed.")
        return render(self.request, "core/form.html", self.context(
            form=form, heading="Public concern source", button="Use this question", caption="Prioritisation",
            back_url=_url("prioritisation", self.partnership), intro=intro))


class IssueRecord(PlanningRecord):
    model = CandidateIssue
    form_class = CandidateIssueForm
    noun = "issue"
    capability = "score_priorities"

    def list_url(self):
        return _url("prioritisation", self.partnership)

    def caption(self):
        return "Prioritisation"


class IssueFields:
    """The issue's own fields and figures (the judgement score has its own page)."""

    def form_kwargs(self):
        return {"partnership": self.partnership}

    def intro(self):
        return ("Refreshing the figures fills in those the assessment and the consultation hold; type in those they "
                "do not (for example from a partner’s report), and cite where they came from on the issue’s page.")


class IssueAdd(IssueFields, IssueRecord, CreatePage):
    def new_object(self):
        return CandidateIssue(partnership=self.partnership,
                              order=services.next_order(CandidateIssue.objects.filter(partnership=self.partnership)))


class IssueEdit(IssueFields, IssueRecord, UpdatePage):
    pass


class IssueJudgement(IssueRecord, UpdatePage):
    form_class = JudgementForm

    def heading(self):
        return f"Judgement score for {self.object}"

    def get_success_message(self, cleaned_data):
        return f"The judgement score for {self.object} has been saved."

    def success_url(self, obj):
        return _url("prioritisation", self.partnership) + f"#issue-{obj.pk}"


class IssueDetail(IssueRecord, TemplateView):
    template_name = "planning/issue.html"
    capability = "view_plan"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        row = next(r for r in services.ranked_issues(self.partnership) if r.issue.pk == issue.pk)
        context.update(self.context(issue=issue, row=row, points=issue.workshop_points.select_related("workshop"),
                                    history=self.history_for(issue), priorities=issue.priorities.all(),
                                    themes=self.plan.themes.all() if self.plan else []))
        return context


class IssueEvidence(IssueRecord, View):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, slug, pk):
        issue = self.get_object()
        return self._render(EvidenceForm(items=evidence_sources.available(self.partnership)), issue)

    def post(self, request, slug, pk):
        issue = self.get_object()
        form = EvidenceForm(request.POST, items=evidence_sources.available(self.partnership))
        if form.is_valid():
            for item in form.chosen_items():
                services.cite(issue, item, criterion=_criterion_for(item.kind))
            messages.success(request, "The evidence has been added.")
            return redirect(issue.get_absolute_url())
        return self._render(form, issue)

    def _render(self, form, issue):
        return render(self.request, "core/form.html", self.context(
            form=form, heading=f"Add evidence to {issue}", button="Add evidence", back_url=issue.get_absolute_url(),
            caption="Prioritisation"))


def _criterion_for(kind: str) -> str:
    return {"consultation_result": Criterion.CONCERN, "workshop_point": Criterion.PARTNER,
            "assessment_finding": Criterion.TREND, "assessment_data": Criterion.VOLUME,
            "partner_data": Criterion.VOLUME}.get(kind, Criterion.JUDGEMENT)


class IssueRemove(IssueRecord, RecordRemove):
    def after_url(self, obj):
        return _url("prioritisation", self.partnership)
