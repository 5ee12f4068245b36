"""Pages for the plan's structure: themes, priorities, the evidence they cite, and actions."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import CreatePage, UpdatePage

from .. import evidence_sources, services
from ..forms import ActionForm, EvidenceForm, PriorityForm, ThemeForm
from ..models import (
    Action,
    CandidateIssue,
    EIARow,
    Evidence,
    FROZEN_MESSAGE,
    FrozenPlan,
    Priority,
    Theme,
    YouSaidWeDid,
)
from .base import PlanningMixin, PlanningRecord, RecordRemove, _url, post_only


# --- Themes ----------------------------------------------------------------------------------------


class ThemeRecord(PlanningRecord):
    frozen_with_plan = True
    model = Theme
    form_class = ThemeForm
    noun = "theme"
    partnership_path = "plan__partnership"

    def success_url(self, obj):
        return _url("index", self.partnership) + f"#theme-{obj.pk}"


class ThemeAdd(ThemeRecord, CreatePage):
    def new_object(self):
        plan = self.require_plan()
        return Theme(plan=plan, order=services.next_order(plan.themes.all()))


class ThemeEdit(ThemeRecord, UpdatePage):
    pass


class ThemeRemove(ThemeRecord, RecordRemove):
    def consequences(self, obj):
        n = obj.priorities.count()
        return [f"Its {n} priorit{'y' if n == 1 else 'ies'}, their actions and KPIs will be removed too"] if n else []


# --- Priorities ------------------------------------------------------------------------------------


class PriorityRecord(PlanningRecord):
    frozen_with_plan = True
    model = Priority
    form_class = PriorityForm
    noun = "priority"
    partnership_path = "theme__plan__partnership"

    def get_queryset(self):
        return super().get_queryset().select_related("theme__plan")

    def form_kwargs(self):
        return {"plan": self.object.theme.plan if self.object else self.require_plan(), "items": None}


class PriorityAdd(PriorityRecord, CreatePage):
    """A new priority, in a theme; from the matrix, answering a candidate issue, with the evidence
    the matrix used for it offered (and ticked) alongside everything else."""

    def new_object(self):
        plan = self.require_plan()
        if not plan.themes.exists():
            raise Http404("Add a theme first")
        return Priority(theme=plan.themes.first())

    def get(self, request, *args, **kwargs):
        if self.plan is not None and not self.plan.themes.exists():
            messages.success(request, "Add a theme first: every priority sits in a theme.")
            return redirect("planning:theme-add", slug=self.partnership.slug)
        return super().get(request, *args, **kwargs)

    def form_kwargs(self):
        return {"plan": self.require_plan(), "items": evidence_sources.available(self.partnership)}

    def issue(self) -> CandidateIssue | None:
        pk = self.request.GET.get("issue") or self.request.POST.get("issue")
        if pk and str(pk).isdigit():
            return CandidateIssue.objects.filter(partnership=self.partnership, pk=pk).first()
        return None

    def get_initial(self):
        initial = super().get_initial()
        theme = self.request.GET.get("theme")
        if theme and theme.isdigit():
            initial["theme"] = theme
        if (issue := self.issue()) is not None:
            initial.update(issue=issue.pk, title=issue.name, description=issue.description,
                           evidence=[services.item_of(e).key for e in issue.evidence.all()])
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if (issue := self.issue()) is not None and "evidence" in form.fields:
            for item in (services.item_of(e) for e in issue.evidence.all()):
                if item.key not in form.evidence_items:
                    form.evidence_items[item.key] = item
                    form.fields["evidence"].choices = [(item.key, f"{item.kind_label}: {item.title}")] + list(
                        form.fields["evidence"].choices)
        return form

    def save(self, form):
        priority = form.save(commit=False)
        priority.order = services.next_order(priority.theme.priorities.all())
        priority.save()
        form.save_m2m()
        for item in form.chosen_items():
            services.cite(priority, item)
        return priority


class PriorityEdit(PriorityRecord, UpdatePage):
    pass


class PriorityDetail(PriorityRecord, TemplateView):
    capability = "view_plan"
    template_name = "planning/priority.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        priority = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        context.update(self.context(
            priority=priority, evidence=priority.evidence.all(),
            actions=priority.actions.select_related("owner", "lead", "sub_group").prefetch_related("kpis"),
            history=self.history_for(priority), you_said=priority.you_said.all(),
            can_change=self.can("change_plan") and priority.plan.editable))
        return context


class PriorityRemove(PriorityRecord, RecordRemove):
    def consequences(self, obj):
        n = obj.actions.count()
        return [f"Its {n} action{'s' if n != 1 else ''} and their KPIs will be removed too"] if n else []


class PriorityEvidence(PriorityRecord, View):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, slug, pk):
        priority = self.get_object()
        if not self.editable(priority):
            return self.refuse(priority)
        return self._render(EvidenceForm(items=self.items(priority)), priority)

    def items(self, priority):
        have = {services.item_of(e).key for e in priority.evidence.all()}
        return [i for i in evidence_sources.available(self.partnership) if i.key not in have]

    def post(self, request, slug, pk):
        priority = self.get_object()
        if not self.editable(priority):
            return self.refuse(priority)
        form = EvidenceForm(request.POST, items=self.items(priority))
        if form.is_valid():
            chosen = form.chosen_items()
            for item in chosen:
                services.cite(priority, item)
            messages.success(request, f"{len(chosen)} piece{'s' if len(chosen) != 1 else ''} of evidence added to "
                                      f"“{priority}”.")
            return redirect(priority.get_absolute_url() + "#evidence")
        return self._render(form, priority)

    def _render(self, form, priority):
        return render(self.request, "core/form.html", self.context(
            form=form, heading=f"Add evidence to “{priority}”", button="Add evidence",
            back_url=priority.get_absolute_url(), caption=priority.theme.title))


class EvidenceRemove(PlanningMixin, View):
    """Stop citing one piece of evidence (a POST from the page that shows it)."""

    def get(self, request, slug, pk):
        return post_only(request, _url("index", self.partnership), "Go to the plan to stop citing evidence")

    def post(self, request, slug, pk):
        evidence = get_object_or_404(Evidence, partnership=self.partnership, pk=pk)
        subject = evidence.subject
        if isinstance(subject, EIARow):
            self.access.require("change_eia")
            back = _url("eia-row", self.partnership, characteristic=subject.characteristic)
        elif isinstance(subject, CandidateIssue):
            self.access.require("score_priorities")
            back = subject.get_absolute_url()
        elif isinstance(subject, YouSaidWeDid):
            self.access.require("change_plan")
            back = _url("you-said", self.partnership)
        else:
            self.access.require("change_plan")
            back = subject.get_absolute_url() + "#evidence" if subject else _url("index", self.partnership)
        title = evidence.title
        try:
            evidence.delete()
        except FrozenPlan:
            messages.warning(request, FROZEN_MESSAGE + ".")
            return redirect(back)
        messages.success(request, f"“{title}” is no longer cited.")
        return redirect(back)


# --- Actions ---------------------------------------------------------------------------------------


class ActionRecord(PlanningRecord):
    frozen_with_plan = True
    model = Action
    form_class = ActionForm
    noun = "action"
    partnership_path = "priority__theme__plan__partnership"

    def get_queryset(self):
        return super().get_queryset().select_related("priority__theme__plan", "owner", "lead", "sub_group")

    def form_kwargs(self):
        return {"partnership": self.partnership}

    def caption(self):
        return (self.object.priority if self.object else self.priority()).title

    def priority(self):
        return get_object_or_404(Priority, theme__plan__partnership=self.partnership, pk=self.kwargs["priority"])


class ActionAdd(ActionRecord, CreatePage):
    def new_object(self):
        priority = self.priority()
        return Action(priority=priority, order=services.next_order(priority.actions.all()))

    def back_url(self, obj):
        return obj.get_absolute_url() if obj is not None and obj.pk else self.priority().get_absolute_url()

    def get_initial(self):
        return {**super().get_initial(), "starts_on": self.priority().theme.plan.starts_on}


class ActionEdit(ActionRecord, UpdatePage):
    pass


class ActionDetail(ActionRecord, TemplateView):
    capability = "view_plan"
    template_name = "planning/action.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        context.update(self.context(action=action, kpis=action.kpis.prefetch_related("values"),
                                    history=self.history_for(action),
                                    can_change=self.can("change_plan") and action.plan.editable))
        return context


class ActionRemove(ActionRecord, RecordRemove):
    def after_url(self, obj):
        return obj.priority.get_absolute_url()
