"""Pages for workshops, prioritisation, the plan, its EIA and its approval. Thin: forms validate,
services act, templates show."""
from __future__ import annotations

from datetime import date
from itertools import chain

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst, slugify
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import PartnershipMixin
from saferplan.partnership.audit import _rows, history_of
from saferplan.partnership.forms import ConfirmRemoveForm
from saferplan.partnership.models import RoleKind

from . import documents, evidence_sources, services
from .forms import (
    ActionForm,
    ApprovalStepForm,
    CandidateIssueForm,
    CommentForm,
    CompareForm,
    ConcernSourceForm,
    EIAActionForm,
    EIAForm,
    EIARowForm,
    EvidenceForm,
    JudgementForm,
    KPIForm,
    KPIValueForm,
    PlanForm,
    PriorityForm,
    PublishForm,
    ThemeForm,
    VersionForm,
    WeightsForm,
    WorkshopForm,
    WorkshopPointForm,
    YouSaidForm,
)
from .models import (
    FROZEN_MESSAGE,
    KPI,
    PLAN_STATUS_ORDER,
    Action,
    CandidateIssue,
    Characteristic,
    Criterion,
    EIAAction,
    EIARow,
    Evidence,
    FrozenPlan,
    IllegalMove,
    KPIValue,
    Plan,
    PlanComment,
    PlanStatus,
    PlanVersion,
    PointKind,
    Priority,
    Theme,
    Workshop,
    WorkshopPoint,
    YouSaidWeDid,
)


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
        return render(self.request, "planning/form.html", self.context(
            form=form, heading="Start the plan", button="Start the plan", back_url=_url("index", self.partnership),
            intro="Community safety plans run for three years from 1 April. You can change any of this later."))


class PlanEdit(FormPage):
    model = Plan
    form_class = PlanForm
    noun = "plan"

    def plan_of(self, obj):
        return obj

    def get_object(self):
        return self.require_plan()

    def heading(self, obj):
        return "Change the plan’s details"

    def message(self, obj, adding):
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
        return render(self.request, "planning/form.html", self.context(
            form=form, heading="Publish the plan", button="Save", back_url=_url("index", self.partnership),
            intro=intro))


class PlanHistory(PlanningMixin, TemplateView):
    template_name = "planning/history.html"
    capability = "view_history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.require_plan()
        theme_ids = set(Theme.history.filter(plan_id=plan.pk).values_list("id", flat=True))
        priority_ids = set(Priority.history.filter(theme_id__in=theme_ids).values_list("id", flat=True))
        action_ids = set(Action.history.filter(priority_id__in=priority_ids).values_list("id", flat=True))
        kpi_ids = set(KPI.history.filter(action_id__in=action_ids).values_list("id", flat=True))
        sources = [
            (Plan, plan.history.all(), lambda r: f"Plan: {r.title}"),
            (Theme, Theme.history.filter(id__in=theme_ids), lambda r: f"Theme: {r.title}"),
            (Priority, Priority.history.filter(id__in=priority_ids), lambda r: f"Priority: {r.title}"),
            (Action, Action.history.filter(id__in=action_ids), lambda r: f"Action: {r.title}"),
            (KPI, KPI.history.filter(id__in=kpi_ids), lambda r: f"KPI: {r.title}"),
            (KPIValue, KPIValue.history.filter(kpi_id__in=kpi_ids), lambda r: f"KPI value: {r.period_label}"),
        ]
        rows = list(chain.from_iterable(
            _rows(records.select_related("history_user").order_by("-history_date")[:300], model, subject)
            for model, records, subject in sources))
        rows.sort(key=lambda r: r.when, reverse=True)
        context.update(self.context(history=rows[:300]))
        return context


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


# --- KPIs ------------------------------------------------------------------------------------------


class KPIMixin:
    frozen_with_plan = True
    model = KPI
    form_class = KPIForm
    noun = "KPI"

    def queryset(self):
        return KPI.objects.filter(action__priority__theme__plan__partnership=self.partnership).select_related(
            "action__priority__theme__plan", "action__owner")

    def success_url(self, obj):
        return obj.get_absolute_url()


class KPIForm_(KPIMixin, FormPage):
    def new_object(self):
        action = get_object_or_404(Action, priority__theme__plan__partnership=self.partnership, pk=self.kwargs["action"])
        return KPI(action=action, order=services.next_order(action.kpis.all()))

    def heading(self, obj):
        return "Change the KPI" if obj.pk else "Add a KPI"

    def back_url(self, obj):
        return obj.get_absolute_url() if obj.pk else obj.action.get_absolute_url()

    def extra(self, obj):
        return {"caption": obj.action.title}

    def save(self, form, adding):
        kpi = form.save()
        if kpi.bound:
            try:
                services.refresh_kpi_values(kpi)
            except Exception:
                messages.warning(self.request, "The KPI’s values could not be read from the imported data yet.")
        return kpi


def can_report(access, kpi) -> bool:
    if not access.can("report_kpis"):
        return False
    if access.can("change_plan") or RoleKind.ANALYST in access.kinds:
        return True
    return kpi.action.owner_id in access.officer_for


class KPIDetail(KPIMixin, PlanningMixin, TemplateView):
    template_name = "planning/kpi.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpi = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        context.update(self.context(kpi=kpi, values=kpi.values.all(), can_report=can_report(self.access, kpi),
                                    history=self.history_for(kpi),
                                    can_change=self.can("change_plan") and kpi.plan.editable))
        return context


class KPIRemove(KPIMixin, RemovePage):
    def back_url(self, obj):
        return obj.get_absolute_url()

    def after_url(self, obj):
        return obj.action.get_absolute_url()


class KPIValueAdd(KPIMixin, PlanningMixin, View):
    capability = "report_kpis"

    def get_kpi(self):
        kpi = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        if not can_report(self.access, kpi):
            raise PermissionDenied("Only the organisation that owns the action reports its KPIs.")
        return kpi

    def get(self, request, slug, pk):
        kpi = self.get_kpi()
        return self._render(KPIValueForm(periods=services.reportable_periods(kpi)), kpi)

    def post(self, request, slug, pk):
        kpi = self.get_kpi()
        form = KPIValueForm(request.POST, periods=services.reportable_periods(kpi))
        if form.is_valid():
            start, end, label = form.periods[form.cleaned_data["period"]]
            try:
                value = services.record_kpi_value(
                    kpi, period_start=start, value=form.cleaned_data["value"], note=form.cleaned_data["note"],
                    reason=form.cleaned_data.get("reason", ""), user=request.user)
            except services.KPIValueRefused as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self._render(form, kpi)
            word = "corrected" if value.correction_reason else "saved"
            messages.success(request, f"The value for {label} ({value.value_label}) has been {word}.")
            return redirect(kpi.get_absolute_url())
        return self._render(form, kpi)

    def _render(self, form, kpi):
        unit = kpi.get_unit_display().lower()
        return render(self.request, "planning/form.html", self.context(
            form=form, heading=f"Report a value for “{kpi}”", button="Save value", back_url=kpi.get_absolute_url(),
            caption=kpi.action.title,
            intro=f"Values are in the KPI’s unit ({unit}). Only periods of the plan that have ended can be reported. "
                  "Reporting a period again corrects it: give the reason, and the earlier value stays in the "
                  "history."))


class KPIRefresh(KPIMixin, PlanningMixin, View):
    capability = "report_kpis"

    def get(self, request, slug, pk):
        kpi = get_object_or_404(self.queryset(), pk=pk)
        return post_only(request, kpi.get_absolute_url(), "Go to the KPI to read its values from the imported data")

    def post(self, request, slug, pk):
        kpi = get_object_or_404(self.queryset(), pk=pk)
        if not can_report(self.access, kpi):
            raise PermissionDenied("Only the organisation that owns the action, an analyst or a manager refreshes "
                                   "its KPIs.")
        try:
            n = services.refresh_kpi_values(kpi)
            messages.success(request, f"{n} value{'s' if n != 1 else ''} read from the imported data.")
        except Exception:
            messages.success(request, "No imported data could be read for this KPI yet.")
        return redirect(kpi.get_absolute_url())


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
        return render(self.request, "planning/form.html", self.context(
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
        result = services.refresh_issues(self.partnership)
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
        return render(self.request, "planning/form.html", self.context(
            form=form, heading="Public concern source", button="Use this question", caption="Prioritisation",
            back_url=_url("prioritisation", self.partnership), intro=intro))


class IssueMixin:
    model = CandidateIssue
    noun = "issue"
    capability = "score_priorities"

    def queryset(self):
        return CandidateIssue.objects.filter(partnership=self.partnership)

    def success_url(self, obj):
        return obj.get_absolute_url()


class IssueForm_(IssueMixin, FormPage):
    form_class = CandidateIssueForm

    def new_object(self):
        return CandidateIssue(partnership=self.partnership,
                              order=services.next_order(CandidateIssue.objects.filter(partnership=self.partnership)))

    def form_kwargs(self, obj):
        return {"partnership": self.partnership}

    def back_url(self, obj):
        return obj.get_absolute_url() if obj.pk else _url("prioritisation", self.partnership)

    def extra(self, obj):
        return {"caption": "Prioritisation"}

    def intro(self, obj):
        return ("Refreshing the figures fills in those the assessment and the consultation hold; type in those they "
                "do not (for example from a partner’s report), and cite where they came from on the issue’s page.")


class IssueJudgement(IssueMixin, FormPage):
    form_class = JudgementForm

    def heading(self, obj):
        return f"Judgement score for {obj}"

    def back_url(self, obj):
        return obj.get_absolute_url()

    def message(self, obj, adding):
        return f"The judgement score for {obj} has been saved."

    def success_url(self, obj):
        return _url("prioritisation", self.partnership) + f"#issue-{obj.pk}"


class IssueDetail(IssueMixin, PlanningMixin, TemplateView):
    template_name = "planning/issue.html"
    capability = "view_plan"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        row = next(r for r in services.ranked_issues(self.partnership) if r.issue.pk == issue.pk)
        context.update(self.context(issue=issue, row=row, points=issue.workshop_points.select_related("workshop"),
                                    history=self.history_for(issue), priorities=issue.priorities.all(),
                                    themes=self.plan.themes.all() if self.plan else []))
        return context


class IssueEvidence(IssueMixin, PlanningMixin, View):
    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

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
        return render(self.request, "planning/form.html", self.context(
            form=form, heading=f"Add evidence to {issue}", button="Add evidence", back_url=issue.get_absolute_url(),
            caption="Prioritisation"))


def _criterion_for(kind: str) -> str:
    return {"consultation_result": Criterion.CONCERN, "workshop_point": Criterion.PARTNER,
            "assessment_finding": Criterion.TREND, "assessment_data": Criterion.VOLUME,
            "partner_data": Criterion.VOLUME}.get(kind, Criterion.JUDGEMENT)


class IssueRemove(IssueMixin, RemovePage):
    def back_url(self, obj):
        return obj.get_absolute_url()

    def after_url(self, obj):
        return _url("prioritisation", self.partnership)


# --- Workshops -------------------------------------------------------------------------------------


class Workshops(PlanningMixin, TemplateView):
    template_name = "planning/workshops.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshops = Workshop.objects.filter(partnership=self.partnership).select_related("sub_group").prefetch_related(
            "organisations", "points")
        context.update(self.context(workshops=workshops, member_surveys=member_surveys(self.partnership)))
        return context


def member_surveys(partnership):
    Survey = evidence_sources._model("consultation.Survey")
    if Survey is None:
        return []
    try:
        surveys = Survey.objects.filter(partnership=partnership)
        return list(surveys.filter(audience="members"))
    except Exception:
        return []


class WorkshopMixin:
    model = Workshop
    form_class = WorkshopForm
    noun = "workshop"
    capability = "change_workshops"

    def queryset(self):
        return Workshop.objects.filter(partnership=self.partnership)

    def new_object(self):
        return Workshop(partnership=self.partnership)

    def form_kwargs(self, obj):
        return {"partnership": self.partnership}

    def success_url(self, obj):
        return obj.get_absolute_url()


class WorkshopForm_(WorkshopMixin, FormPage):
    def back_url(self, obj):
        return obj.get_absolute_url() if obj.pk else _url("workshops", self.partnership)

    def save(self, form, adding):
        return form.save()


class WorkshopDetail(WorkshopMixin, PlanningMixin, TemplateView):
    template_name = "planning/workshop.html"
    capability = "view_plan"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        workshop = get_object_or_404(self.queryset(), pk=self.kwargs["pk"])
        points = workshop.points.prefetch_related("issues")
        groups = [(kind, [p for p in points if p.kind == kind.value]) for kind in PointKind]
        context.update(self.context(workshop=workshop, groups=groups, history=self.history_for(workshop)))
        return context


class WorkshopRemove(WorkshopMixin, RemovePage):
    def back_url(self, obj):
        return obj.get_absolute_url()

    def after_url(self, obj):
        return _url("workshops", self.partnership)

    def consequences(self, obj):
        n = obj.points.count()
        return [f"Its {n} recorded point{'s' if n != 1 else ''} will be removed too, and priorities will no longer "
                "cite them"] if n else []


class PointMixin:
    model = WorkshopPoint
    form_class = WorkshopPointForm
    noun = "point"
    capability = "change_workshops"

    def queryset(self):
        return WorkshopPoint.objects.filter(workshop__partnership=self.partnership).select_related("workshop")

    def form_kwargs(self, obj):
        return {"partnership": self.partnership}

    def success_url(self, obj):
        return obj.workshop.get_absolute_url() + f"#point-{obj.pk}"


class PointForm_(PointMixin, FormPage):
    def new_object(self):
        workshop = get_object_or_404(Workshop, partnership=self.partnership, pk=self.kwargs["workshop"])
        return WorkshopPoint(workshop=workshop, order=services.next_order(workshop.points.all()))

    def initial(self, obj):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in PointKind.values else {}

    def back_url(self, obj):
        return obj.workshop.get_absolute_url()

    def heading(self, obj):
        return "Change the point" if obj.pk else "Add a point"

    def message(self, obj, adding):
        return f"The point has been {'added' if adding else 'saved'}."

    def extra(self, obj):
        return {"caption": f"{obj.workshop.title}, {obj.workshop.held_on:%-d %B %Y}"}


class PointRemove(PointMixin, RemovePage):
    def back_url(self, obj):
        return obj.workshop.get_absolute_url()

    after_url = back_url


class MembersSurvey(PlanningMixin, View):
    """Start the elected members' survey: the consultation engine, with members as its audience."""

    capability = "change_consultation"

    def get(self, request, slug):
        return post_only(request, _url("workshops", self.partnership), "Go to the workshops to start the survey")

    def post(self, request, slug):
        survey = create_members_survey(self.partnership)
        if survey is None:
            messages.success(request, "The consultation is not available yet, so no members’ survey was made.")
            return redirect("planning:workshops", slug=slug)
        messages.success(request, f"“{survey}” has been made as a draft: check it, then publish it to members.")
        try:
            return redirect(survey.get_absolute_url())
        except Exception:
            return redirect("planning:workshops", slug=slug)


MEMBERS_QUESTIONS = [
    {"title": "Priorities", "questions": [
        {"code": "m1", "type": "multiple", "max_choices": 3, "allow_other": True,
         "text": "Which three issues should the partnership’s plan focus on in your ward?",
         "options": ["Anti-social Behaviour", "Hate Crime", "Motor Vehicle Crime/theft", "Robbery", "Burglary",
                     "Theft", "Youth violence, gangs", "Violent crime", "Drugs offences", "Domestic abuse",
                     "Road safety"]},
        {"code": "m2", "type": "text", "max_length": 2000,
         "text": "What do residents raise with you most often about crime and anti-social behaviour?"},
        {"code": "m3", "type": "text", "max_length": 2000,
         "text": "Is there anything the draft priorities miss, or that the partnership should do differently?"},
    ]},
]


def create_members_survey(partnership):
    try:
        from saferplan.consultation import library
        from saferplan.consultation.models import Audience, Survey
    except ImportError:
        return None
    today = date.today()
    slug = f"elected-members-{today.year}"
    existing = Survey.objects.filter(partnership=partnership, slug=slug).first()
    if existing:
        return existing
    fields = {"partnership": partnership, "title": f"Elected members’ survey {today.year}", "slug": slug,
              "purpose": "Elected members’ views on the draft priorities of the community safety plan.",
              "opens_on": today, "closes_on": date.fromordinal(today.toordinal() + 28), "published": False,
              "equality_monitoring": False, "audience": Audience.MEMBERS}
    survey = Survey.objects.create(**fields)
    library.add_sections(survey, MEMBERS_QUESTIONS)
    return survey


# --- Approval and versions -------------------------------------------------------------------------


class Approval(PlanningMixin, TemplateView):
    template_name = "planning/approval.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        if plan is None:
            context.update(self.context())
            return context
        versions = list(plan.versions.select_related("created_by"))
        context.update(self.context(
            steps=plan.approval_steps.select_related("version", "recorded_by"), versions=versions,
            compare_form=CompareForm(versions=versions, initial={
                "a": versions[-2].pk if len(versions) > 1 else None, "b": versions[-1].pk if versions else None}),
            next_status=services.next_status(plan), statuses=PLAN_STATUS_ORDER,
            send_label={"board": "Send the plan to the board for sign-off", "scrutiny": "Send the plan to scrutiny",
                        "cabinet": "Send the plan to cabinet",
                        "council": "Send the plan to full council"}.get(str(services.next_status(plan) or "")),
            comments=plan.comments.select_related("author")))
        return context


class ApprovalRecord(PlanningMixin, View):
    capability = "record_approval"

    def get(self, request, slug):
        plan = self.require_plan()
        stage = plan.status if plan.status in ("board", "scrutiny", "cabinet", "council") else "board"
        return self._render(ApprovalStepForm(plan=plan, initial={"stage": stage}))

    def post(self, request, slug):
        plan = self.require_plan()
        form = ApprovalStepForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                step = services.record_step(plan, user=request.user, **form.cleaned_data)
            except IllegalMove as exc:  # the plan moved on since the form was checked
                form.add_error("stage", exc.messages[0])
                return self._render(form)
            plan.refresh_from_db()
            messages.success(request, f"{step} has been recorded. The plan is now: {plan.get_status_display().lower()}.")
            return redirect("planning:approval", slug=slug)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "planning/form.html", self.context(
            form=form, heading="Record a meeting", button="Record the meeting", caption="Approval",
            back_url=_url("approval", self.partnership),
            intro="The version of the plan the meeting considered is kept with its comments and decision. "
                  "Approved means adopted; recommended or commented sends the plan on to the next step; referred "
                  "back returns it to draft."))


class ApprovalSend(PlanningMixin, View):
    capability = "record_approval"

    def get(self, request, slug):
        return post_only(request, _url("approval", self.partnership), "Go to the approval page to send the plan on")

    def post(self, request, slug):
        plan = self.require_plan()
        status = request.POST.get("status", "")
        if status not in PlanStatus.values:
            raise Http404("No such step")
        try:
            services.send_to(plan, status, request.user)
        except IllegalMove as exc:
            messages.warning(request, exc.messages[0] + ".")
            return redirect("planning:approval", slug=slug)
        messages.success(request, f"The plan is now: {plan.get_status_display().lower()}. This version has been kept.")
        return redirect("planning:approval", slug=slug)


class VersionSave(PlanningMixin, View):
    capability = "change_plan"

    def get(self, request, slug):
        self.require_plan()
        return self._render(VersionForm())

    def post(self, request, slug):
        plan = self.require_plan()
        form = VersionForm(request.POST)
        if form.is_valid():
            version = services.save_version(plan, form.cleaned_data["label"], request.user)
            messages.success(request, f"{version} has been kept.")
            return redirect("planning:approval", slug=slug)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "planning/form.html", self.context(
            form=form, heading="Keep a version of the plan", button="Keep this version", caption="Approval",
            back_url=_url("approval", self.partnership),
            intro="A version keeps the whole plan as it is now, so it can be compared with any other."))


class VersionDetail(PlanningMixin, TemplateView):
    template_name = "planning/version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = get_object_or_404(PlanVersion, plan__partnership=self.partnership, pk=self.kwargs["pk"])
        context.update(self.context(version=version, snap=version.snapshot))
        return context


class Compare(PlanningMixin, TemplateView):
    template_name = "planning/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.require_plan()
        versions = list(PlanVersion.objects.filter(plan__partnership=self.partnership).order_by("plan_id", "number"))
        form = CompareForm(self.request.GET or None, versions=versions)
        differences = a = b = None
        if form.is_bound and form.is_valid():
            a = next(v for v in versions if v.pk == form.cleaned_data["a"])
            b = next(v for v in versions if v.pk == form.cleaned_data["b"])
            if a.number > b.number and a.plan_id == b.plan_id:
                a, b = b, a
            differences = services.compare(a.snapshot, b.snapshot)
        context.update(self.context(form=form, a=a, b=b, differences=differences, plan=plan))
        return context


class Comments(PlanningMixin, View):
    def capability_for(self, request):
        return "comment_on_plan" if request.method == "POST" else "view_plan"

    def get(self, request, slug):
        return self._render(CommentForm())

    def post(self, request, slug):
        plan = self.require_plan()
        form = CommentForm(request.POST)
        if form.is_valid():
            PlanComment.objects.create(plan=plan, author=request.user, text=form.cleaned_data["text"])
            messages.success(request, "Your comment has been added.")
            return redirect("planning:comments", slug=slug)
        return self._render(form)

    def _render(self, form):
        plan = self.require_plan()
        return render(self.request, "planning/comments.html", self.context(
            form=form, comments=plan.comments.select_related("author")))


# --- Equality impact assessment --------------------------------------------------------------------


class EIAOverview(PlanningMixin, TemplateView):
    template_name = "planning/eia.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        if plan is None:
            context.update(self.context())
            return context
        eia = services.ensure_eia(plan)
        context.update(self.context(
            eia=eia, rows=services.eia_rows(eia), actions=eia.actions.all(), history=self.history_for(eia),
            eia_details=[("Reference", eia.reference or "None yet (needed before the assessment is final)"),
                         ("Signed off", services.eia_sign_off(eia)), ("Author", eia.author),
                         ("Head of service", eia.head_of_service), ("Cabinet member", eia.cabinet_member),
                         ("Context and background", eia.context), ("Baseline data and information", eia.baseline),
                         ("Monitoring and evaluation", eia.monitoring), ("Impact on council staff", eia.staff_impact)],
            health=[("How health inequalities will be reduced", eia.health_how_reduced),
                    ("Evidence showing how they will be reduced", eia.health_evidence),
                    ("Groups of people who face them", eia.health_groups),
                    ("How to improve them for the groups identified", eia.health_improve)],
            digital=[("Impact on digital inequalities", eia.digital_impact),
                     ("Opportunities to reduce them", eia.digital_opportunities)]))
        return context


class EIAEdit(FormPage):
    form_class = EIAForm
    capability = "change_eia"
    noun = "equality impact assessment"

    def get_object(self):
        return services.ensure_eia(self.require_plan())

    def heading(self, obj):
        return "Change the assessment’s details"

    def success_url(self, obj):
        return _url("eia", self.partnership)

    def message(self, obj, adding):
        return "The equality impact assessment has been saved."

    def extra(self, obj):
        return {"caption": "Equality impact assessment"}


class EIARowEdit(PlanningMixin, View):
    capability = "change_eia"

    def get_row(self):
        if self.kwargs["characteristic"] not in Characteristic.values:
            raise Http404("No such characteristic")
        eia = services.ensure_eia(self.require_plan())
        return eia.rows.get(characteristic=self.kwargs["characteristic"])

    def items(self, row):
        have = {services.item_of(e).key for e in row.evidence.all()}
        items = services.equality_evidence(self.partnership, row.characteristic) + evidence_sources.available(
            self.partnership)
        return [i for i in items if i.key not in have]

    def get(self, request, slug, characteristic):
        row = self.get_row()
        return self._render(EIARowForm(instance=row, items=self.items(row)), row)

    def post(self, request, slug, characteristic):
        row = self.get_row()
        form = EIARowForm(request.POST, instance=row, items=self.items(row))
        if form.is_valid():
            with transaction.atomic():
                form.save()
                for item in form.chosen_items():
                    services.cite(row, item)
            messages.success(request, f"{row} has been saved.")
            return redirect(_url("eia", self.partnership) + f"#row-{row.characteristic}")
        return self._render(form, row)

    def _render(self, form, row):
        return render(self.request, "planning/eia_row.html", self.context(
            form=form, row=row, evidence=row.evidence.all(), back_url=_url("eia", self.partnership)))


class EIAActionMixin:
    model = EIAAction
    form_class = EIAActionForm
    noun = "action"
    capability = "change_eia"

    def queryset(self):
        return EIAAction.objects.filter(eia__plan__partnership=self.partnership)

    def new_object(self):
        eia = services.ensure_eia(self.require_plan())
        return EIAAction(eia=eia, order=services.next_order(eia.actions.all()))

    def success_url(self, obj):
        return _url("eia", self.partnership) + "#actions"

    def back_url(self, obj):
        return _url("eia", self.partnership)


class EIAActionForm_(EIAActionMixin, FormPage):
    def extra(self, obj):
        return {"caption": "Equality impact assessment"}


class EIAActionRemove(EIAActionMixin, RemovePage):
    after_url = EIAActionMixin.success_url


# --- You said, we did ------------------------------------------------------------------------------


class YouSaid(PlanningMixin, TemplateView):
    template_name = "planning/you_said.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        rows = plan.you_said.prefetch_related("priorities", "actions", "evidence") if plan else []
        context.update(self.context(rows=rows, suggestions=services.suggested_you_said(plan) if plan else []))
        return context


class YouSaidMixin:
    model = YouSaidWeDid
    form_class = YouSaidForm
    noun = "row"

    def queryset(self):
        return YouSaidWeDid.objects.filter(plan__partnership=self.partnership)

    def new_object(self):
        plan = self.require_plan()
        return YouSaidWeDid(plan=plan, order=services.next_order(plan.you_said.all()))

    def form_kwargs(self, obj):
        return {"plan": obj.plan, "items": evidence_sources.available(self.partnership)}

    def success_url(self, obj):
        return _url("you-said", self.partnership) + f"#row-{obj.pk}"

    def back_url(self, obj):
        return _url("you-said", self.partnership)


class YouSaidForm_(YouSaidMixin, FormPage):
    def heading(self, obj):
        return "Change “You said, we did”" if obj.pk else "Add to “You said, we did”"

    def message(self, obj, adding):
        return f"The row has been {'added' if adding else 'saved'}."

    def save(self, form, adding):
        row = form.save()
        for item in form.chosen_items():
            services.cite(row, item)
        return row


class YouSaidRemove(YouSaidMixin, RemovePage):
    after_url = YouSaidMixin.back_url


class YouSaidSuggest(PlanningMixin, View):
    capability = "change_plan"

    def get(self, request, slug):
        return post_only(request, _url("you-said", self.partnership),
                         "Go to “You said, we did” to draft rows from the consultation")

    def post(self, request, slug):
        plan = self.require_plan()
        made = 0
        with transaction.atomic():
            for s in services.suggested_you_said(plan):
                if s["item"].title in set(plan.you_said.values_list("you_said", flat=True)):
                    continue
                priorities = s["priorities"]
                we_did = ("We made " + " and ".join(f"“{p.title}”" for p in priorities) +
                          " a priority of the plan.") if priorities else "We considered this issue but did not make it " \
                                                                          "a priority: see the plan for why."
                row = YouSaidWeDid.objects.create(plan=plan, you_said=s["item"].title, we_did=we_did,
                                                  order=services.next_order(plan.you_said.all()))
                row.priorities.set(priorities)
                services.cite(row, s["item"])
                made += 1
        messages.success(request, f"{made} row{'s' if made != 1 else ''} drafted from the consultation’s results: "
                                  "check the wording of each.")
        return redirect("planning:you-said", slug=slug)


# --- Documents -------------------------------------------------------------------------------------


def _download(content: bytes, name: str, fmt: str) -> HttpResponse:
    from saferplan.core.downloads import attachment

    return attachment(content, name)


class PlanDocument(PlanningMixin, View):
    def get(self, request, slug, fmt):
        plan = self.require_plan()
        if fmt not in ("pdf", "docx", "json"):
            raise Http404
        if fmt == "json":
            content = documents.export_json(plan).encode()
        else:
            content = documents.plan_file(plan, fmt)
        return _download(content, f"{slugify(plan.title)}.{fmt}", fmt)


class PlanOnAPage(PlanningMixin, View):
    def get(self, request, slug):
        plan = self.require_plan()
        return _download(documents.plan_on_a_page_pdf(plan), f"{slugify(plan.title)}-plan-on-a-page.pdf", "pdf")


class EIADocument(PlanningMixin, View):
    def get(self, request, slug, fmt):
        plan = self.require_plan()
        if fmt not in ("pdf", "docx"):
            raise Http404
        return _download(documents.eia_file(plan, fmt), f"equality-impact-assessment-{slugify(plan.title)}.{fmt}", fmt)


def content_type_of(obj):
    return ContentType.objects.get_for_model(obj)
