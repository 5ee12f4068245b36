"""Pages for the equality impact assessment."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import CreatePage, UpdatePage

from .. import evidence_sources, services
from ..forms import EIAActionForm, EIAForm, EIARowForm
from ..models import Characteristic, EIAAction, EqualityImpactAssessment
from .base import PlanningMixin, PlanningRecord, RecordRemove, _url


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
            health=services.eia_answers(eia, services.EIA_HEALTH),
            digital=services.eia_answers(eia, services.EIA_DIGITAL)))
        return context


class EIAEdit(PlanningRecord, UpdatePage):
    model = EqualityImpactAssessment
    form_class = EIAForm
    capability = "change_eia"
    noun = "equality impact assessment"
    partnership_path = "plan__partnership"

    def get_object(self, queryset=None):
        return services.ensure_eia(self.require_plan())

    def list_url(self):
        return _url("eia", self.partnership)

    def back_url(self, obj):
        return self.list_url()

    def heading(self):
        return "Change the assessment’s details"

    def get_success_message(self, cleaned_data):
        return "The equality impact assessment has been saved."

    def caption(self):
        return "Equality impact assessment"


class EIARowEdit(PlanningMixin, View):
    capability = "change_eia"

    def get_row(self):
        if self.kwargs["characteristic"] not in Characteristic.values:
            raise Http404("No such characteristic")
        eia = services.ensure_eia(self.require_plan())
        return eia.rows.get(characteristic=self.kwargs["characteristic"])

    def items(self, row):
        have = {services.item_of(e).key for e in row.evidence.all()}
        try:
            offered = services.equality_evidence(self.partnership, row.characteristic)
        except evidence_sources.AssessmentUnavailable as exc:
            messages.warning(self.request, f"Partner data’s hate crime figures are not offered: {exc}.")
            offered = services.equality_evidence(self.partnership, row.characteristic, partner_data=False)
        items = offered + evidence_sources.available(self.partnership)
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


class EIAActionRecord(PlanningRecord):
    model = EIAAction
    form_class = EIAActionForm
    noun = "action"
    capability = "change_eia"
    partnership_path = "eia__plan__partnership"

    def list_url(self):
        return _url("eia", self.partnership)

    def back_url(self, obj):
        return self.list_url()

    def success_url(self, obj):
        return _url("eia", self.partnership) + "#actions"

    def caption(self):
        return "Equality impact assessment"


class EIAActionAdd(EIAActionRecord, CreatePage):
    def new_object(self):
        eia = services.ensure_eia(self.require_plan())
        return EIAAction(eia=eia, order=services.next_order(eia.actions.all()))


class EIAActionEdit(EIAActionRecord, UpdatePage):
    pass


class EIAActionRemove(EIAActionRecord, RecordRemove):
    def after_url(self, obj):
        return self.success_url(obj)
