"""The public pages: published plans, their documents and "You said, we did". Open to everyone,
and only ever showing a plan its partnership has chosen to publish."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from saferplan.documents import stored
from saferplan.partnership.models import Partnership

from . import documents, services
from .models import Plan


def published_plan(slug: str) -> Plan:
    partnership = get_object_or_404(Partnership, slug=slug)
    plan = services.public_plan(partnership)
    if plan is None:
        raise Http404("No published plan")
    return plan


@require_GET
def index(request):
    partnerships = Partnership.objects.filter(plans__published=True).distinct()
    plans = [p for p in (services.public_plan(partnership) for partnership in partnerships) if p is not None]
    return render(request, "planning/public/index.html",
                  {"plans": sorted(plans, key=lambda p: p.partnership.name)})


@require_GET
def plan(request, partnership):
    plan = published_plan(partnership)
    snap = services.snapshot(plan)
    return render(request, "planning/public/plan.html", {
        "plan": plan, "snap": snap, "themes": plan.themes.prefetch_related(
            "priorities__actions__owner", "priorities__actions__kpis", "priorities__evidence"),
        "you_said": plan.you_said.exists(), "basis": documents.evidence_basis(plan)})


@require_GET
def you_said(request, partnership):
    plan = published_plan(partnership)
    rows = plan.you_said.prefetch_related("priorities", "actions__owner", "evidence")
    return render(request, "planning/public/you_said.html", {"plan": plan, "rows": rows})


@require_GET
def plan_document(request, partnership, fmt):
    """Served as the job worker stored it: a web process never renders a public document."""
    plan = published_plan(partnership)
    if fmt not in ("pdf", "docx"):
        raise Http404
    return stored.response(request, f"plan:{plan.pk}:{fmt}", title=f"{plan.title} ({fmt.upper()})",
                           back_url=reverse("public-plan:plan", args=[plan.partnership.slug]),
                           back_text="Back to the plan", context={"plan": plan})


@require_GET
def plan_on_a_page(request, partnership):
    plan = published_plan(partnership)
    return stored.response(request, f"plan-on-a-page:{plan.pk}:pdf", title=f"{plan.title}: plan on a page",
                           back_url=reverse("public-plan:plan", args=[plan.partnership.slug]),
                           back_text="Back to the plan", context={"plan": plan})
