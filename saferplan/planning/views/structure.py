"""Pages for the plan's structure: themes, priorities, the evidence they cite, and actions."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

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
from .base import FormPage, FrozenGuard, PlanningMixin, RemovePage, _url, post_only


# --- Themes ----------------------------------------------------------------------------------------


class ThemeMixin:
    frozen_with_plan = True
    model = Theme
    form_class = ThemeForm
    noun = "theme"

    def queryset(self):
        return Theme.objects.filter(plan__partnership=self.partnership)

    def new_object(self):
        plan = self.require_plan()
        return Theme(plan=plan, order=services.next_order(plan.themes.all()))

    def success_url(self, obj):
        return _url("index", self.partnership) + f"#theme-{obj.pk}"


class ThemeForm_(ThemeMixin, FormPage):
    pass


class ThemeRemove(ThemeMixin, RemovePage):
    def consequences(self, obj):
        n = obj.priorities.count()
        return [f"Its {n} priorit{'y' if n == 1 else 'ies'}, their actions and KPIs will be removed too"] if n else []


# --- Priorities ------------------------------------------------------------------------------------


class PriorityMixin:
    frozen_with_plan = True
    model = Priority
    noun = "priority"

    def queryset(self):
        return Priority.objects.filter(theme__plan__partnership=self.partnership).select_related("theme__plan")

    def success_url(self, obj):
        return obj.get_absolute_url()


class PriorityForm_(PriorityMixin, FormPage):
    form_class = PriorityForm

    def new_object(self):
        plan = self.require_plan()
        if not plan.themes.exists():
            raise Http404("Add a theme first")
        return Priority(theme=plan.themes.first())

    def get(self, request, slug, **kwargs):
        if "pk" not in kwargs and self.plan is not None and not self.plan.themes.exists():
            messages.success(request, "Add a theme first: every priority sits in a theme.")
            return redirect("planning:theme-add", slug=slug)
        return super().get(request, slug, **kwargs)

    def form_kwargs(self, obj):
        plan = obj.theme.plan if obj.pk else self.require_plan()
        return {"plan": plan, "items": evidence_sources.available(self.partnership) if not obj.pk else None}

    def _issue(self):
        pk = self.request.GET.get("issue") or self.request.POST.get("issue")
        if pk and str(pk).isdigit():
            return CandidateIssue.objects.filter(partnership=self.partnership, pk=pk).first()
        return None

    def initial(self, obj):
        initial = {}
        theme = self.request.GET.get("theme")
        if theme and theme.isdigit():
            initial["theme"] = theme
        issue = self._issue()
        if issue is not None and not obj.pk:
            initial.update(issue=issue.pk, title=issue.name, description=issue.description)
            keys = {services.item_of(e).key for e in issue.evidence.all()}
            initial["evidence"] = [k for k in keys]
        return initial

    def render_form(self, form, obj):
        issue = self._issue()
        if issue is not None and not obj.pk and "evidence" in form.fields:
            # The matrix's evidence for the issue is offered (and ticked) alongside everything else.
            extra = [services.item_of(e) for e in issue.evidence.all()]
            for item in extra:
                if item.key not in form.evidence_items:
                    form.evidence_items[item.key] = item
                    form.fields["evidence"].choices = [(item.key, f"{item.kind_label}: {item.title}")] + list(
                        form.fields["evidence"].choices)
        return super().render_form(form, obj)

    def post(self, request, slug, **kwargs):
        obj = self.get_object()
        if refused := self.refuse_if_frozen(obj):
            return refused
        form = self.form_class(request.POST, instance=obj, **self.form_kwargs(obj))
        issue = self._issue()
        if issue is not None and not obj.pk:
            for e in issue.evidence.all():
                item = services.item_of(e)
                form.evidence_items.setdefault(item.key, item)
                form.fields["evidence"].choices = list(form.fields["evidence"].choices) + [(item.key, item.title)]
        if form.is_valid():
            adding = obj.pk is None
            with transaction.atomic():
                priority = form.save(commit=False)
                if adding:
                    priority.order = services.next_order(priority.theme.priorities.all())
                priority.save()
                if adding:
                    for item in form.chosen_items():
                        services.cite(priority, item)
            messages.success(request, self.message(priority, adding))
            return redirect(priority.get_absolute_url())
        return self.render_form(form, obj)


class PriorityDetail(PriorityMixin, PlanningMixin, TemplateView):
    template_name = "planning/priority.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        priority = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        context.update(self.context(
            priority=priority, evidence=priority.evidence.all(),
            actions=priority.actions.select_related("owner", "lead", "sub_group").prefetch_related("kpis"),
            history=self.history_for(priority), you_said=priority.you_said.all(),
            can_change=self.can("change_plan") and priority.plan.editable))
        return context


class PriorityRemove(PriorityMixin, RemovePage):
    def back_url(self, obj):
        return obj.get_absolute_url()

    def consequences(self, obj):
        n = obj.actions.count()
        return [f"Its {n} action{'s' if n != 1 else ''} and their KPIs will be removed too"] if n else []


class PriorityEvidence(PriorityMixin, FrozenGuard, PlanningMixin, View):
    capability = "change_plan"

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def get(self, request, slug, pk):
        priority = self.get_object()
        if refused := self.refuse_if_frozen(priority):
            return refused
        return self._render(EvidenceForm(items=self.items(priority)), priority)

    def items(self, priority):
        have = {services.item_of(e).key for e in priority.evidence.all()}
        return [i for i in evidence_sources.available(self.partnership) if i.key not in have]

    def post(self, request, slug, pk):
        priority = self.get_object()
        if refused := self.refuse_if_frozen(priority):
            return refused
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
        return render(self.request, "planning/form.html", self.context(
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


class ActionMixin:
    frozen_with_plan = True
    model = Action
    form_class = ActionForm
    noun = "action"

    def queryset(self):
        return Action.objects.filter(priority__theme__plan__partnership=self.partnership).select_related(
            "priority__theme__plan", "owner", "lead", "sub_group")

    def form_kwargs(self, obj):
        return {"partnership": self.partnership}

    def success_url(self, obj):
        return obj.get_absolute_url()


class ActionForm_(ActionMixin, FormPage):
    def new_object(self):
        priority = get_object_or_404(Priority, theme__plan__partnership=self.partnership, pk=self.kwargs["priority"])
        return Action(priority=priority, order=services.next_order(priority.actions.all()))

    def back_url(self, obj):
        return obj.get_absolute_url() if obj.pk else obj.priority.get_absolute_url()

    def extra(self, obj):
        return {"caption": obj.priority.title}

    def initial(self, obj):
        if obj.pk:
            return {}
        plan = obj.priority.theme.plan
        return {"starts_on": plan.starts_on}


class ActionDetail(ActionMixin, PlanningMixin, TemplateView):
    template_name = "planning/action.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        context.update(self.context(action=action, kpis=action.kpis.prefetch_related("values"),
                                    history=self.history_for(action),
                                    can_change=self.can("change_plan") and action.plan.editable))
        return context


class ActionRemove(ActionMixin, RemovePage):
    def back_url(self, obj):
        return obj.get_absolute_url()

    def after_url(self, obj):
        return obj.priority.get_absolute_url()
