"""Pages for KPIs and their values."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import CreatePage, UpdatePage

from .. import services
from ..evidence_sources import AssessmentUnavailable
from ..forms import KPIForm, KPIValueForm
from ..models import Action, KPI
from .base import PlanningRecord, RecordRemove, post_only


# --- KPIs ------------------------------------------------------------------------------------------


class KPIRecord(PlanningRecord):
    frozen_with_plan = True
    model = KPI
    form_class = KPIForm
    noun = "KPI"
    partnership_path = "action__priority__theme__plan__partnership"

    def get_queryset(self):
        return super().get_queryset().select_related("action__priority__theme__plan", "action__owner")

    def parent_action(self):
        return get_object_or_404(Action, priority__theme__plan__partnership=self.partnership, pk=self.kwargs["action"])

    def caption(self):
        return (self.object.action if self.object else self.parent_action()).title

    def heading(self):
        return "Change the KPI" if self.object else "Add a KPI"

    def save(self, form):
        kpi = form.save()
        if kpi.bound:
            try:
                services.refresh_kpi_values(kpi)
            except AssessmentUnavailable as exc:
                messages.warning(self.request, f"The KPI has been saved, but its values could not be read: {exc}.")
        return kpi


class KPIAdd(KPIRecord, CreatePage):
    def new_object(self):
        action = self.parent_action()
        return KPI(action=action, order=services.next_order(action.kpis.all()))

    def back_url(self, obj):
        return obj.get_absolute_url() if obj is not None and obj.pk else self.parent_action().get_absolute_url()


class KPIEdit(KPIRecord, UpdatePage):
    pass


class KPIDetail(KPIRecord, TemplateView):
    capability = "view_plan"
    template_name = "planning/kpi.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpi = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        context.update(self.context(kpi=kpi, values=kpi.values.all(),
                                    can_report=services.can_report(self.access, kpi),
                                    history=self.history_for(kpi),
                                    can_change=self.can("change_plan") and kpi.plan.editable))
        return context


class KPIRemove(KPIRecord, RecordRemove):
    def after_url(self, obj):
        return obj.action.get_absolute_url()


class KPIValueAdd(KPIRecord, View):
    capability = "report_kpis"

    def get_kpi(self):
        kpi = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not services.can_report(self.access, kpi):
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
        return render(self.request, "core/form.html", self.context(
            form=form, heading=f"Report a value for “{kpi}”", button="Save value", back_url=kpi.get_absolute_url(),
            caption=kpi.action.title,
            intro=f"Values are in the KPI’s unit ({unit}). Only periods of the plan that have ended can be reported. "
                  "Reporting a period again corrects it: give the reason, and the earlier value stays in the "
                  "history."))


class KPIRefresh(KPIRecord, View):
    capability = "report_kpis"

    def get(self, request, slug, pk):
        kpi = get_object_or_404(self.get_queryset(), pk=pk)
        return post_only(request, kpi.get_absolute_url(), "Go to the KPI to read its values from the imported data")

    def post(self, request, slug, pk):
        kpi = get_object_or_404(self.get_queryset(), pk=pk)
        if not services.can_report(self.access, kpi):
            raise PermissionDenied("Only the organisation that owns the action, an analyst or a manager refreshes "
                                   "its KPIs.")
        try:
            n = services.refresh_kpi_values(kpi)
        except AssessmentUnavailable as exc:
            messages.warning(request, f"{exc}.")
            return redirect(kpi.get_absolute_url())
        if n:
            messages.success(request, f"{n} value{'s' if n != 1 else ''} read from the imported data.")
        else:
            messages.success(request, "The imported data holds no complete reporting period for this KPI yet.")
        return redirect(kpi.get_absolute_url())
