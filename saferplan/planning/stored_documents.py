"""The plan's public documents as the job worker stores them (see saferplan.documents.stored):
the plan as PDF and Word, and the plan on a page.

The version of an adopted plan's document is worked out from a few fields, because its content is
frozen at adoption (the model refuses changes); a published draft's from its whole snapshot.
"""
from __future__ import annotations

import json

from django.db.models import Max, OuterRef, Subquery, Value
from django.utils.text import slugify

from saferplan.documents import stored
from saferplan.core.downloads import CONTENT_TYPES

from . import documents, services
from .models import FROZEN_STATUSES, EIAAction, EIARow, EqualityImpactAssessment, Plan, PlanStatus, PlanVersion

# Raise when the documents' layout changes, so that every stored plan is rendered again.
LAYOUT = 1


def _plan(key: str) -> tuple[Plan, str]:
    _, pk, fmt = key.split(":")
    return Plan.objects.select_related("partnership").get(pk=int(pk)), fmt


def _latest(model, **where):
    return Subquery(model.objects.filter(**where).order_by().values(**{"g": Value(1)}).annotate(
        t=Max("history_date")).values("t")[:1])


def _inputs(pk: int) -> Plan:
    """The plan with, in the same query, what else its documents show that may change: its latest
    version's number and when its EIA (which is signed off after adoption) last changed. One
    query, because the public download works this out on every request."""
    eia = EqualityImpactAssessment.objects.filter(plan=OuterRef(OuterRef("pk"))).values("pk")[:1]
    return Plan.objects.select_related("partnership").annotate(
        last_version=Subquery(PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number").values("number")[:1]),
        eia_changed=_latest(EqualityImpactAssessment.history.model, plan_id=OuterRef("pk")),
        eia_rows_changed=_latest(EIARow.history.model, eia_id=Subquery(eia)),
        eia_actions_changed=_latest(EIAAction.history.model, eia_id=Subquery(eia)),
    ).get(pk=pk)


def inputs_version(plan: Plan) -> str:
    parts = [LAYOUT, plan.pk, plan.status, plan.title, plan.published_at, plan.adopted_at, plan.starts_on,
             plan.ends_on, plan.vision, plan.introduction, plan.partnership.name, plan.partnership.area_codes,
             plan.last_version, plan.eia_changed, plan.eia_rows_changed, plan.eia_actions_changed]
    if plan.status not in FROZEN_STATUSES:  # a published draft: anything in it may change
        parts.append(json.dumps(services.snapshot(plan), sort_keys=True, default=str))
    return stored.digest(*parts)


def _version(key: str) -> str:
    return stored.digest(key, inputs_version(_inputs(int(key.split(":")[1]))))


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
