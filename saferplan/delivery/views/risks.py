"""The risk register: the register and heat map, the matrix, and each risk."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from saferplan.core.pages import CreatePage, DetailPage, UpdatePage

from ..forms import MatrixForm, ReviewForm, RiskForm
from ..models import Risk
from ..services import risks
from .base import DeliveryMixin, FormPage, Page, done, url


class Register(Page):
    template_name = "delivery/risks.html"
    nav = "risks"

    def data(self):
        today = timezone.localdate()
        rows = risks.register_rows(self.partnership, today, include_closed=True)
        return {"rows": rows, "heat": risks.heat_map(self.partnership, today),
                "matrix": risks.matrix_for(self.partnership),
                "above": sum(1 for r in rows if r.above_tolerance and not r.risk.closed),
                "overdue": sum(1 for r in rows if r.overdue)}


class MatrixChoose(FormPage):
    capability = "change_risks"
    nav = "risks"
    heading = "Choose the risk matrix"
    button = "Save the matrix"

    def make_form(self, data=None):
        register = risks.register_for(self.partnership)
        c = register.custom or {}
        initial = {"matrix_key": register.matrix_key, "name": c.get("name", ""),
                   "likelihoods": "\n".join(c.get("likelihoods", [])), "impacts": "\n".join(c.get("impacts", [])),
                   "bands": "\n".join(f"{n}: {lowest}" for n, lowest in c.get("bands", []))}
        return MatrixForm(data, initial=initial)

    def page(self):
        return {"back_url": url("risks", self.partnership),
                "intro": "Score risks on the council’s own matrix: Medway’s 4 × 4 (likelihood A to D, impact I to "
                         "IV, ratings like DII), Melton’s 6 × 4 (likelihood 1 to 6, impact 1 to 4, rated Low, Medium "
                         "or High Risk), a common 5 × 5, or your own levels and bands (fill in the boxes below "
                         "for your own matrix)."}

    def act(self, form):
        register = risks.register_for(self.partnership)
        risks.change_matrix(register, form.cleaned_data["matrix_key"], form.cleaned_data.get("custom"))
        done(self.request, f"Risks are now scored on the {register.matrix().name} matrix.")
        return url("risks", self.partnership)


class RiskPages(DeliveryMixin):
    model = Risk
    noun = "risk"
    form_class = RiskForm
    capability = "change_risks"
    template_name = "core/form.html"

    def list_url(self):
        return url("risks", self.partnership)

    def form_kwargs(self):
        return {"partnership": self.partnership, "matrix": risks.matrix_for(self.partnership), "plan": self.plan}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = (f"Scored on the {risks.matrix_for(self.partnership).name} matrix. The rating is worked "
                            "out from the likelihood and impact; each change of rating is kept in the risk’s history.")
        return context

    def save(self, form):
        risk = form.save(commit=False)
        risks.save_risk(risk, self.request.user, note="First rating" if risk.pk is None else "")
        form.save_m2m()
        return risk


class RiskAdd(RiskPages, CreatePage):
    def new_object(self):
        return Risk(partnership=self.partnership, reference=risks.next_reference(self.partnership))


class RiskEdit(RiskPages, UpdatePage):
    pass


class RiskDetail(DeliveryMixin, DetailPage):
    model = Risk
    noun = "risk"
    context_object_name = "risk"
    template_name = "delivery/risk.html"

    def list_url(self):
        return url("risks", self.partnership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(row=risks.rated(self.object, risks.matrix_for(self.partnership)),
                       reviews=self.object.reviews.select_related("reviewed_by"))
        return context


class RiskReview(FormPage):
    capability = "change_risks"
    nav = "risks"
    button = "Record the review"

    def make_form(self, data=None):
        self.risk = get_object_or_404(Risk, partnership=self.partnership, pk=self.kwargs["pk"])
        if self.risk.closed:
            raise Http404("The risk is closed")
        return ReviewForm(data, matrix=risks.matrix_for(self.partnership),
                          initial={"likelihood": self.risk.likelihood, "impact": self.risk.impact})

    @property
    def heading(self):
        return f"Review risk {self.risk.reference}"

    def page(self):
        return {"back_url": self.risk.get_absolute_url(), "caption": self.risk.title}

    def act(self, form):
        d = form.cleaned_data
        risks.review(self.risk, likelihood=d["likelihood"], impact=d["impact"], next_review=d["next_review"],
                     note=d["note"], user=self.request.user)
        done(self.request, f"The review of risk {self.risk.reference} has been recorded.")
        return self.risk.get_absolute_url()
