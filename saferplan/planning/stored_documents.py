"""The plan's public documents as the job worker stores them (see saferplan.documents.stored):
the plan as PDF and Word, and the plan on a page.

The version of an adopted plan's document is worked out from a few fields, because its content is
frozen at adoption (the model refuses changes); a published draft's from its whole snapshot.
"""
from __future__ import annotations

import json

from django.db.models import Max
from django.utils.text import slugify

from saferplan.documents import stored
from saferplan.documents.downloads import CONTENT_TYPES

from . import documents, services
from .models import FROZEN_STATUSES, EIAAction, EIARow, EqualityImpactAssessment, Plan, PlanStatus

# Raise when the documents' layout changes, so that every stored plan is rendered again.
LAYOUT = 1


def _plan(key: str) -> tuple[Plan, str]:
    _, pk, fmt = key.split(":")
    return Plan.objects.select_related("partnership").get(pk=int(pk)), fmt


def inputs_version(plan: Plan) -> str:
    parts = [LAYOUT, plan.pk, plan.status, plan.title, plan.published_at, plan.adopted_at, plan.starts_on,
             plan.ends_on, plan.vision, plan.introduction, plan.partnership.name, plan.partnership.area_codes,
             plan.versions.aggregate(n=Max("number"))["n"]]
    # The EIA goes on changing after adoption (its rows and actions are signed off later).
    eia = EqualityImpactAssessment.objects.filter(plan=plan).first()
    if eia is not None:
        parts += [eia.history.aggregate(t=Max("history_date"))["t"],
                  EIARow.history.filter(eia_id=eia.pk).aggregate(t=Max("history_date"))["t"],
                  EIAAction.history.filter(eia_id=eia.pk).aggregate(t=Max("history_date"))["t"]]
    if plan.status not in FROZEN_STATUSES:
        parts.append(json.dumps(services.snapshot(plan), sort_keys=True, default=str))
    return stored.digest(*parts)


def _version(key: str) -> str:
    plan, fmt = _plan(key)
    return stored.digest(key, inputs_version(plan))


def _render(key: str) -> stored.Rendered:
    plan, fmt = _plan(key)
    kind = key.split(":", 1)[0]
    if kind == "plan-on-a-page":
        return stored.Rendered(documents.plan_on_a_page_pdf(plan), f"{slugify(plan.title)}-plan-on-a-page.pdf",
                               CONTENT_TYPES["pdf"])
    return stored.Rendered(documents.plan_file(plan, fmt), f"{slugify(plan.title)}.{fmt}", CONTENT_TYPES[fmt])


stored.register("plan", stored.DocumentKind(version=_version, render=_render))
stored.register("plan-on-a-page", stored.DocumentKind(version=_version, render=_render))


def plan_keys(plan: Plan) -> list[str]:
    return [f"plan:{plan.pk}:pdf", f"plan:{plan.pk}:docx", f"plan-on-a-page:{plan.pk}:pdf"]


def published_keys() -> list[str]:
    """The documents of every plan the public can read."""
    from saferplan.partnership.models import Partnership

    keys = []
    for partnership in Partnership.objects.filter(plans__published=True).distinct():
        plan = services.public_plan(partnership)
        if plan is not None and plan.status != PlanStatus.SUPERSEDED:
            keys += plan_keys(plan)
    return keys
