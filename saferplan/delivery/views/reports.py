"""The board's quarterly performance report, as a download (PDF, Word or JSON)."""
from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from saferplan.core.downloads import attachment
from saferplan.documents import stored

from .. import stored_documents
from ..services import reports
from .base import DeliveryMixin


class BoardReport(DeliveryMixin, View):
    def get(self, request, slug, quarter, fmt):
        if fmt not in ("pdf", "docx", "json"):
            raise Http404("No such format")
        q = self.quarter(quarter)
        try:
            if fmt == "json":
                return attachment(reports.board_file(self.partnership, q, fmt),
                                  f"{slugify(self.partnership.name)}-board-report-{q.slug}.json")
            # PDF and Word are rendered by the job worker (one to two seconds of CPU), not here.
            return stored.response(request, stored_documents.key(self.partnership, q, fmt),
                                   title=f"The board report for {q.label} ({fmt.upper()})",
                                   back_url=reverse("delivery:index", kwargs={"slug": self.partnership.slug}),
                                   back_text="Back to delivery", base_template="base.html",
                                   context={"partnership": self.partnership})
        except reports.ReportRefused as exc:
            raise Http404(str(exc)) from None
