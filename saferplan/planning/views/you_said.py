"""Pages for "You said, we did"."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from .. import evidence_sources, services
from ..forms import YouSaidForm
from ..models import YouSaidWeDid
from .base import FormPage, PlanningMixin, RemovePage, _url, post_only


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
