"""The read API's operations. Each reads the token's partnership only (``request.auth.partnership``)
through delivery's services, the functions the pages and the board report use, so the API says
what the pages say."""
from __future__ import annotations

from django.utils import timezone
from ninja import Status
from ninja.errors import HttpError

from .. import planning_reads as planning
from ..models import ApiScope, QuarterlyReturn
from saferplan.core.periods import Quarter
from ..services import funding, jag, kpis, returns, risks
from . import api
from .schemas import (
    ActionOut,
    FundingOut,
    JagProblemOut,
    KPIOut,
    PlanOut,
    Problem,
    ReturnOut,
    RiskOut,
)

EXAMPLE_NOTE = "Records with example=true are made-up example data, shown to demonstrate Saferplan."


def _partnership(request):
    return request.auth.partnership


def _may_read(request, scope: ApiScope) -> None:
    """403 for a token not issued to read this (the manager chose what each token reads)."""
    if not request.auth.may_read(scope):
        raise HttpError(403, f"This token may not read {scope.label[0].lower()}{scope.label[1:]}. A manager can "
                             "issue a token that may, on the partnership's Read API tokens page.")


def _plan(request):
    return planning.plan_in_delivery(_partnership(request))


@api.get("/plan", url_name="plan", response={200: PlanOut, 404: Problem}, summary="The plan in delivery (the adopted version)")
def plan(request):
    _may_read(request, ApiScope.PLAN)
    p = _plan(request)
    if p is None:
        return Status(404, {"detail": "The partnership has no adopted plan"})
    return {"title": p.title, "starts_on": p.starts_on, "ends_on": p.ends_on, "status": p.status,
            "adopted_at": p.adopted_at, "revision_in_progress": planning.revision_in_progress(p) is not None,
            "example_data_note": EXAMPLE_NOTE}


@api.get("/actions", url_name="actions", response=list[ActionOut], summary="The plan’s actions, with their latest return’s status and RAG")
def actions(request):
    _may_read(request, ApiScope.PLAN)
    p = _plan(request)
    if p is None:
        return []
    latest = {}
    for round_ in returns.rounds_of(_partnership(request)).filter(plan=p).order_by("quarter"):
        for action_id, ret in returns.current_returns(round_).items():
            latest[action_id] = ret
    rows = []
    for a in planning.actions_of(p):
        ret = latest.get(a.pk)
        rows.append({"id": a.pk, "title": a.title, "theme": a.priority.theme.title, "priority": a.priority.title,
                     "owner": a.owner.name if a.owner else "", "sub_group": a.sub_group.name if a.sub_group else None,
                     "starts_on": a.starts_on, "due_on": a.due_on,
                     "latest_quarter": ret.round.quarter if ret else None,
                     "status": ret.status if ret else None, "rag": ret.rag if ret else None})
    return rows


@api.get("/returns", url_name="returns", response={200: list[ReturnOut], 400: Problem},
         summary="Quarterly returns, corrections included (current=false for a corrected entry)")
def returns_list(request, quarter: str | None = None):
    _may_read(request, ApiScope.PLAN)
    p = _plan(request)
    if p is None:
        return []
    found = (QuarterlyReturn.objects.filter(round__plan=p, round__partnership=_partnership(request))
             .select_related("round", "organisation", "correction").prefetch_related("spend")
             .order_by("round__quarter", "action_id", "submitted_at", "pk"))
    if quarter:
        try:
            found = found.filter(round__quarter=Quarter.parse(quarter).slug)
        except ValueError as exc:
            return Status(400, {"detail": f"quarter: {exc}"})
    return [{"id": r.pk, "action_id": r.action_id, "quarter": r.round.quarter, "organisation": r.organisation.name,
                  "status": r.status, "narrative": r.narrative, "forecast_on": r.forecast_on,
                  "rag_suggested": r.rag_suggested, "rag": r.rag, "rag_reason": r.rag_reason,
                  "evidence_links": r.links, "spend_to_date": funding.money(funding.spend_of_return(r)),
                  "corrects_id": r.corrects_id, "correction_reason": r.correction_reason, "current": r.is_current,
                  "submitted_at": r.submitted_at, "example": r.example or r.round.example} for r in found]


@api.get("/kpis", url_name="kpis", response=list[KPIOut], summary="KPIs with every value and their RAG against the trajectory")
def kpi_list(request):
    _may_read(request, ApiScope.KPIS)
    p = _plan(request)
    if p is None:
        return []
    rows = []
    for s in kpis.standings(p):
        k = s.kpi
        rows.append({"id": k.pk, "action_id": k.action_id, "title": k.title, "unit": k.get_unit_display(),
                     "baseline": k.baseline, "target": k.target, "direction": k.direction, "source": k.source,
                     "expected_now": s.expected, "rag": s.rag, "rag_reason": f"{s.reason}. Rule: {kpis.RAG_RULE}",
                     "values": [{"period": v.period_label, "period_start": v.period_start, "period_end": v.period_end,
                                 "value": v.value, "note": getattr(v, "note", "") or ""}
                                for v in kpis.values_up_to(k, None)]})
    return rows


@api.get("/risks", url_name="risks", response=list[RiskOut], summary="The risk register, rated on the partnership’s matrix")
def risk_list(request):
    _may_read(request, ApiScope.RISKS)
    partnership = _partnership(request)
    matrix = risks.matrix_for(partnership)
    return [{"id": r.risk.pk, "reference": r.risk.reference, "title": r.risk.title, "owner": r.risk.owner.name,
             "likelihood": r.current.likelihood.code, "impact": r.current.impact.code, "score": r.current.score,
             "rating": r.current.text, "band": r.current.band, "target_rating": r.target.text,
             "tolerance": r.risk.tolerance, "above_tolerance": r.above_tolerance, "review_on": r.risk.review_on,
             "overdue": r.overdue, "closed": r.risk.closed, "matrix": matrix.name, "example": r.risk.example}
            for r in risks.register_rows(partnership, timezone.localdate(), include_closed=True)]


@api.get("/funding", url_name="funding", response=list[FundingOut], summary="Funding streams: allocated, spent, remaining and claimed")
def funding_list(request):
    _may_read(request, ApiScope.FUNDING)
    return [{"id": s.stream.pk, "source": s.stream.source, "name": s.stream.name, "funder": s.stream.funder,
             "financial_year": s.stream.financial_year, "amount": funding.money(s.stream.amount),
             "allocated": funding.money(s.allocated), "spent": funding.money(s.spent),
             "remaining": funding.money(s.remaining), "claimed": funding.money(s.claimed),
             "conditions": s.stream.conditions, "flags": s.flags, "example": s.stream.example}
            for s in funding.summaries(_partnership(request))]


@api.get("/jag-problems", url_name="jag-problems", response=list[JagProblemOut], summary="Problems tasked to the Joint Action Group")
def jag_list(request):
    _may_read(request, ApiScope.JAG)
    return [{"id": p.pk, "reference": p.reference, "title": p.title, "location": p.location, "ward": p.ward,
             "lsoa_code": p.lsoa_code, "lsoa_name": p.lsoa_name, "owner": p.owner.name, "status": p.status,
             "opened_on": p.opened_on, "review_on": p.review_on, "example": p.example}
            for p in jag.problems_of(_partnership(request))]
