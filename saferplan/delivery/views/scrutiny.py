"""The annual report to the Crime and Disorder scrutiny committee: its page (narrative and the
figures it will carry), the narrative's form, and the PDF and Word documents."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views import View

from saferplan.core.downloads import attachment
from saferplan.core.pages import CHANGE_REASON_LENGTH
from saferplan.wording import uk_date

from ..forms import ScrutinyNarrativeForm
from ..services import scrutiny
from .base import DeliveryMixin, Page, url


class YearMixin:
    def year(self):
        try:
            return scrutiny.parse_year(self.kwargs["year"])
        except scrutiny.ScrutinyRefused:
            raise Http404("No such year") from None


class ScrutinyPage(YearMixin, Page):
    template_name = "delivery/scrutiny.html"
    nav = "reviews"

    def data(self):
        year = self.year()
        narrative = scrutiny.narrative_for(self.partnership, year)
        try:
            figures, refused = scrutiny.figures(self.partnership, year), ""
        except scrutiny.ScrutinyRefused as exc:
            figures, refused = None, str(exc)
        fields = ["meeting_on", "purpose", "recommendations", "background", "considerations", "consultation",
                  "financial", "legal", "equality", "risk", "author", "contact"]
        rows = [(narrative._meta.get_field(name).verbose_name.capitalize(),
                 uk_date(value) if isinstance(value, date) else value)
                for name, value in ((name, getattr(narrative, name)) for name in fields)]
        counts = {rag: figures.board.count(rag) for rag in ("red", "amber", "green")} if figures else {}
        return {"year": year, "narrative": narrative, "figures": figures, "refused": refused, "counts": counts,
                "narrative_rows": rows, "history": self.history_for(narrative) if narrative.pk else None,
                "example": bool(narrative.example or (figures and figures.example))}


class ScrutinyEdit(YearMixin, DeliveryMixin, View):
    capability = "edit_scrutiny_report"

    def render_form(self, form, year):
        return render(self.request, "core/form.html", self.context(
            form=form, heading=f"Report to scrutiny on {year.label}", button="Save the report",
            back_url=url("scrutiny", self.partnership, year=year.label), nav_current="reviews",
            intro="Write the parts of the committee report that are words. The figures are drawn from the system "
                  "each time the report is made. Every change is kept in the report’s history."))

    def get(self, request, *args, **kwargs):
        year = self.year()
        return self.render_form(ScrutinyNarrativeForm(instance=scrutiny.narrative_for(self.partnership, year)), year)

    def post(self, request, *args, **kwargs):
        year = self.year()
        form = ScrutinyNarrativeForm(request.POST, instance=scrutiny.narrative_for(self.partnership, year))
        if not form.is_valid():
            return self.render_form(form, year)
        report = form.save(commit=False)
        report._change_reason = f"Report to scrutiny saved through the page at {request.path}"[:CHANGE_REASON_LENGTH]
        with transaction.atomic():
            scrutiny.save_narrative(report)
        messages.success(request, f"The report to scrutiny on {year.label} has been saved.")
        return redirect(url("scrutiny", self.partnership, year=year.label))


class ScrutinyDocument(YearMixin, DeliveryMixin, View):
    def get(self, request, slug, year, fmt):
        fy = self.year()
        if fmt not in ("pdf", "docx"):
            raise Http404("No such format")
        try:
            content = scrutiny.scrutiny_file(self.partnership, fy.label, fmt)
        except scrutiny.ScrutinyRefused as exc:
            raise Http404(str(exc)) from None
        return attachment(content, f"{slugify(self.partnership.name)}-report-to-scrutiny-{fy.label}.{fmt}")
