"""Pages for the plan's approval: committees' decisions, versions, comparison and comments."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from .. import services
from ..forms import ApprovalStepForm, CommentForm, CompareForm, VersionForm
from ..models import IllegalMove, PLAN_STATUS_ORDER, PlanComment, PlanStatus, PlanVersion
from .base import PlanningMixin, _url, post_only


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
            send_label=services.send_label(services.next_status(plan)),
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
        return render(self.request, "core/form.html", self.context(
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
        return render(self.request, "core/form.html", self.context(
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
