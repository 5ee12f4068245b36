"""The board's quarterly performance report, as a download (PDF, Word or JSON)."""
from __future__ import annotations

from django.http import Http404
from django.utils.text import slugify
from django.views import View

from saferplan.core.downloads import attachment

from ..services import reports
from .base import DeliveryMixin


class BoardReport(DeliveryMixin, View):
    def get(self, request, slug, quarter, fmt):
        if fmt not in ("pdf", "docx", "json"):
            raise Http404("No such format")
        q = self.quarter(quarter)
        try:
            content = reports.board_file(self.partnership, q, fmt)
        except reports.ReportRefused as exc:
            raise Http404(str(exc)) from None
        return attachment(content, f"{slugify(self.partnership.name)}-board-report-{q.slug}.{fmt}")
