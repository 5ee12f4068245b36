"""JAG tasking: the list of place-based problems, each problem with its SARA record, and its forms."""
from __future__ import annotations

from django.utils import timezone

from saferplan.core.pages import CreatePage, DetailPage, UpdatePage

from .. import assessment_reads
from ..forms import JagProblemForm
from ..models import JagProblem
from ..services import jag
from .base import DeliveryMixin, Page, url


class Problems(Page):
    template_name = "delivery/jag_problems.html"
    nav = "jag"

    def data(self):
        today = timezone.localdate()
        problems = list(jag.problems_of(self.partnership))
        for p in problems:
            p.overdue = jag.review_overdue(p, today)
        return {"problems": problems, "example": any(p.example for p in problems),
                "no_personal_data": jag.NO_PERSONAL_DATA}


class ProblemPages(DeliveryMixin):
    model = JagProblem
    noun = "JAG problem"
    form_class = JagProblemForm
    capability = "change_jag"
    template_name = "core/form.html"

    def list_url(self):
        return url("jag", self.partnership)

    def form_kwargs(self):
        return {"partnership": self.partnership, "hotspots": jag.hotspot_choices(self.partnership),
                "findings": assessment_reads.findings(self.partnership)}

    def get_initial(self):
        initial = super().get_initial()
        if self.object is not None and self.object.pk:
            initial["evidence"] = jag.linked_key(self.object)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = jag.NO_PERSONAL_DATA
        return context

    def save(self, form):
        return jag.save_problem(form.save(commit=False), form.cleaned_data.get("evidence", ""))


class ProblemAdd(ProblemPages, CreatePage):
    def new_object(self):
        return JagProblem(partnership=self.partnership, reference=jag.next_reference(self.partnership),
                          opened_on=timezone.localdate())


class ProblemEdit(ProblemPages, UpdatePage):
    pass


class ProblemDetail(DeliveryMixin, DetailPage):
    model = JagProblem
    noun = "JAG problem"
    context_object_name = "problem"
    template_name = "delivery/jag_problem.html"

    def list_url(self):
        return url("jag", self.partnership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overdue"] = jag.review_overdue(self.object)
        return context
