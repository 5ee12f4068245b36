"""Test factories for delivery, and its URLs' access rules for the permission test."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from saferplan.partnership.models import RoleKind

from . import risk_matrix
from saferplan.core.periods import Quarter

from .models import Allocation, Claim, FundingStream, JagProblem, Risk
from .services import api_tokens, funding, jag, returns, reviews, risks


def make_adopted_plan(partnership, starts_on=date(2022, 4, 1), ends_on=date(2025, 3, 31)):
    """A small adopted plan whose quarters have all ended: a theme, a priority, two actions (one
    owned by the police, one by the council) and a quarterly KPI on the police action with values
    for its first four quarters. Made directly (not through the approval route, which other
    tests cover) and earlier than any plan a test drafts, so that it is the plan in delivery
    without being the plan being drafted."""
    from saferplan.planning.models import KPI, Action, Plan, Priority, Theme

    plan = Plan.objects.create(partnership=partnership, title="Adopted plan 2022 to 2025", starts_on=starts_on,
                               ends_on=ends_on)
    police = partnership.organisations.get(kind="police")
    council = partnership.organisations.get(kind="district_council")
    theme = Theme.objects.create(plan=plan, title="Place", order=1)
    priority = Priority.objects.create(theme=theme, title="Reduce anti-social behaviour", order=1)
    patrols = Action.objects.create(priority=priority, title="Town centre patrols", owner=police,
                                    starts_on=starts_on, due_on=date(2025, 3, 31), order=1)
    Action.objects.create(priority=priority, title="Case-manage repeat perpetrators", owner=council,
                          starts_on=starts_on, due_on=date(2023, 3, 31), order=2)
    kpi = KPI.objects.create(action=patrols, title="Anti-social behaviour incidents per quarter", unit="count",
                             baseline=Decimal("300"), target=Decimal("240"), direction="down",
                             frequency="quarterly", source="Community safety team records")
    for q, value in zip((Quarter(2022, n) for n in (1, 2, 3, 4)), (298, 290, 299, 330)):
        kpi.values.create(period_label=q.label, period_start=q.start, period_end=q.end, value=Decimal(value))
    for status in ("board", "council", "adopted"):
        plan.move_to(status)
    return plan


def make_delivery(partnership):
    """An adopted plan with a round of returns (one submitted), a risk and a funded stream."""
    plan = make_adopted_plan(partnership)
    patrols = plan.actions().get(title="Town centre patrols")
    stream = FundingStream.objects.create(partnership=partnership, source="pcc", name="PCC Crime Reduction Grant",
                                          financial_year="2022-23", amount=Decimal("106460.00"),
                                          conditions="Projects that reduce anti-social behaviour and crime")
    allocation = funding.save_allocation(Allocation(stream=stream, action=patrols, amount=Decimal("12000.00")))
    round_ = returns.open_round(plan, Quarter(2022, 2), date(2022, 10, 31))
    q = round_.period
    rag, _ = returns.suggest_rag(patrols, "on_track", None, q)
    ret = returns.submit_return(round_, patrols, status="on_track", narrative="Patrols every weekend.", rag=rag,
                                spend={allocation.pk: Decimal("2500.50")})
    Claim.objects.create(stream=stream, quarter=q.slug, amount=Decimal("2500.50"), claimed_on=date(2022, 10, 15))
    risks.change_matrix(risks.register_for(partnership), risk_matrix.MELTON.key)
    risk = risks.save_risk(Risk(partnership=partnership, reference="R1", title="Lack of resource",
                                cause="Budgets", consequence="Actions dropped", owner=patrols.owner,
                                likelihood="3", impact="2", target_likelihood="2", target_impact="2",
                                tolerance="Low Risk", review_on=date(2026, 12, 31)))
    return {"plan": plan, "round": round_, "return": ret, "stream": stream, "risk": risk, "action": patrols,
            "allocation": allocation,
            "kpi": patrols.kpis.get()}


# Who may GET each of this app's URLs: see tests/partnership/test_permissions.py for the rules.
_M, _P = RoleKind.MANAGER, RoleKind.PARTNER_OFFICER
EVERY_ROLE = frozenset(RoleKind)
ACCESS = {
    "delivery:index": EVERY_ROLE,
    "delivery:actions": EVERY_ROLE,
    "delivery:sub-group": EVERY_ROLE,
    "delivery:rounds": EVERY_ROLE,
    "delivery:round-open": {_M},
    "delivery:round": EVERY_ROLE,
    "delivery:round-remind": "post-only-partnership",
    "delivery:return-submit": {_M, _P},  # the partner officer acts for the police, who own the action
    "delivery:return": EVERY_ROLE,
    "delivery:kpis": EVERY_ROLE,
    "delivery:kpi": EVERY_ROLE,
    "delivery:risks": EVERY_ROLE,
    "delivery:matrix": {_M},
    "delivery:risk-add": {_M},
    "delivery:risk": EVERY_ROLE,
    "delivery:risk-edit": {_M},
    "delivery:risk-review": {_M},
    "delivery:funding": EVERY_ROLE,
    "delivery:stream-add": {_M},
    "delivery:stream": EVERY_ROLE,
    "delivery:stream-edit": {_M},
    "delivery:stream-remove": {_M},
    "delivery:allocation-remove": {_M},
    "delivery:allocation-add": {_M},
    "delivery:claim-add": {_M},
    "delivery:report": EVERY_ROLE,
    "delivery:jag": EVERY_ROLE,
    "delivery:jag-add": {_M, RoleKind.ANALYST},
    "delivery:jag-problem": EVERY_ROLE,
    "delivery:jag-edit": {_M, RoleKind.ANALYST},
    "delivery:reviews": EVERY_ROLE,
    "delivery:review-start": {_M},
    "delivery:review": EVERY_ROLE,
    "delivery:review-edit": {_M},
    "delivery:review-document": EVERY_ROLE,
    "delivery:scrutiny": EVERY_ROLE,
    "delivery:scrutiny-edit": {_M},
    "delivery:scrutiny-report": EVERY_ROLE,
    "delivery:api-tokens": {_M},
    "delivery:api-token-revoke": "post-only-partnership",
    # The read API answers a partnership's token, never a session (tests/delivery/test_api.py).
    "api:openapi-json": "public",
    "api:api-root": "api-token",
    "api:plan": "api-token",
    "api:actions": "api-token",
    "api:returns": "api-token",
    "api:kpis": "api-token",
    "api:risks": "api-token",
    "api:funding": "api-token",
    "api:jag-problems": "api-token",
}


def make_jag_problem(partnership, **fields) -> JagProblem:
    owner = partnership.organisations.get(kind="police")
    values = {"reference": jag.next_reference(partnership), "title": "Shop theft and begging at the market place",
              "location": "Market Place, town centre", "description": "Repeated shop theft around the market stalls",
              "owner": owner, "review_on": date(2026, 12, 31), "opened_on": date(2022, 6, 1), **fields}
    return jag.save_problem(JagProblem(partnership=partnership, **values))


def url_kwargs(world) -> dict[str, dict]:
    made = make_delivery(world["here"])
    quarter = made["round"].quarter
    problem = make_jag_problem(world["here"])
    review = reviews.start_review(made["plan"], "2022-23")
    token, _ = api_tokens.issue(world["here"], "Police Power BI", scopes=["plan", "kpis"])
    return {
        "delivery:jag-problem": {"pk": problem.pk},
        "delivery:jag-edit": {"pk": problem.pk},
        "delivery:review": {"pk": review.pk},
        "delivery:review-edit": {"pk": review.pk},
        "delivery:review-document": {"pk": review.pk, "fmt": "pdf"},
        "delivery:scrutiny": {"year": "2022-23"},
        "delivery:scrutiny-edit": {"year": "2022-23"},
        "delivery:scrutiny-report": {"year": "2022-23", "fmt": "pdf"},
        "delivery:api-token-revoke": {"pk": token.pk},
        "delivery:sub-group": {"pk": world["group"].pk},
        "delivery:round": {"quarter": quarter},
        "delivery:round-remind": {"quarter": quarter},
        "delivery:return-submit": {"quarter": quarter, "action": made["action"].pk},
        "delivery:return": {"pk": made["return"].pk},
        "delivery:kpi": {"pk": made["kpi"].pk},
        "delivery:risk": {"pk": made["risk"].pk},
        "delivery:risk-edit": {"pk": made["risk"].pk},
        "delivery:risk-review": {"pk": made["risk"].pk},
        "delivery:stream": {"pk": made["stream"].pk},
        "delivery:stream-edit": {"pk": made["stream"].pk},
        "delivery:stream-remove": {"pk": made["stream"].pk},
        "delivery:allocation-add": {"stream": made["stream"].pk},
        "delivery:allocation-remove": {"stream": made["stream"].pk, "pk": made["allocation"].pk},
        "delivery:claim-add": {"stream": made["stream"].pk},
        "delivery:report": {"quarter": quarter, "fmt": "json"},
    }
