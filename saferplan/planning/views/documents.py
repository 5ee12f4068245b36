"""The plan's documents as downloads."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.utils.text import slugify
from django.views import View

from .. import documents
from .base import PlanningMixin


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
