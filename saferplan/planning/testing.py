"""Test factories for the planning app, and its URLs' access rules for the permission test."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from saferplan.partnership.models import RoleKind

from . import services
from .evidence_sources import Item
from .models import (
    KPI,
    Action,
    CandidateIssue,
    EIAAction,
    EvidenceKind,
    Plan,
    PointKind,
    Priority,
    Theme,
    Workshop,
    WorkshopPoint,
    YouSaidSuggestion,
    YouSaidWeDid,
)


def make_plan(partnership, title="Melton Community Safety Plan 2025 to 2028", published=False) -> Plan:
    """A small but complete plan: one theme, priority (with evidence), action (owned by the police)
    with a KPI, a workshop with a point, an EIA with an action and a "You said, we did" row."""
    plan = services.start_plan(partnership, title=title, starts_on=date(2025, 4, 1), ends_on=date(2028, 3, 31),
                               vision="A safer borough for everyone who lives, works and visits here.")
    police = partnership.organisations.filter(kind="police").first() or partnership.organisations.first()
    services.ensure_issues(partnership)
    issue = CandidateIssue.objects.get(partnership=partnership, name="Anti-social behaviour")
    CandidateIssue.objects.filter(pk=issue.pk).update(
        volume=1200, previous_volume=1000, change_pct=Decimal("20.0"), significant=True,
        concern_pct=Decimal("41.0"), judgement=4, judgement_reason="Residents raise it at every ward meeting")
    issue.refresh_from_db()
    workshop = Workshop.objects.create(partnership=partnership, title="Public place safety and reassurance",
                                       theme="Place", held_on=date(2024, 10, 15))
    workshop.organisations.set([police])
    point = WorkshopPoint.objects.create(workshop=workshop, kind=PointKind.PRIORITY,
                                         text="Make anti-social behaviour in the town centre a priority")
    point.issues.set([issue])
    theme = Theme.objects.create(plan=plan, title="Place", description="Safer public places", order=1)
    priority = Priority.objects.create(theme=theme, title="Reduce anti-social behaviour", issue=issue,
                                       description="Anti-social behaviour rose by a fifth.", order=1)
    services.cite(priority, Item(EvidenceKind.FINDING, "Anti-social behaviour rose by 20%", "/assessment/finding/1/"))
    services.cite(priority, Item(EvidenceKind.WORKSHOP, "Place workshop: make ASB a priority",
                                 point.get_absolute_url(), "", "planning", "workshoppoint", str(point.pk)))
    action = Action.objects.create(priority=priority, title="Joint patrols in the town centre", owner=police,
                                   due_on=date(2026, 3, 31), starts_on=date(2025, 4, 1), funding_source="pcc",
                                   funding_detail="PCC Crime Reduction Grant", funding_amount=Decimal("10000"))
    KPI.objects.create(action=action, title="Anti-social behaviour records per quarter", baseline=Decimal("300"),
                       target=Decimal("270"), source="police.uk", measure_kind="police",
                       measure_category="Anti-social behaviour")
    eia = services.ensure_eia(plan)
    EIAAction.objects.create(eia=eia, inequality="Digital inequalities", action="Paper copies of the plan",
                             owner="Melton Borough Council", timescale="April 2025")
    row = YouSaidWeDid.objects.create(plan=plan, you_said="41% of you said anti-social behaviour",
                                      we_did="We made it a priority")
    row.priorities.set([priority])
    services.save_version(plan, "First draft")
    if published:
        services.publish(plan)
    return plan


_M, _A, _P, _B = RoleKind.MANAGER, RoleKind.ANALYST, RoleKind.PARTNER_OFFICER, RoleKind.BOARD_MEMBER
EVERY_ROLE = frozenset(RoleKind)
MANAGER = {_M}
SCORERS = {_M, _A}
WORKSHOPPERS = {_M, _A, _B}
POST = "post-only-partnership"

ACCESS = {
    "planning:index": EVERY_ROLE,
    "planning:plan-start": MANAGER,
    "planning:plan-edit": MANAGER,
    "planning:publish": MANAGER,
    "planning:plan-revise": MANAGER,
    "planning:history": {_M, _A, _B},
    "planning:document": EVERY_ROLE,
    "planning:plan-on-a-page": EVERY_ROLE,
    "planning:theme-add": MANAGER,
    "planning:theme-edit": MANAGER,
    "planning:theme-remove": MANAGER,
    "planning:priority-add": MANAGER,
    "planning:priority": EVERY_ROLE,
    "planning:priority-edit": MANAGER,
    "planning:priority-remove": MANAGER,
    "planning:priority-evidence": MANAGER,
    "planning:evidence-remove": POST,
    "planning:action-add": MANAGER,
    "planning:action": EVERY_ROLE,
    "planning:action-edit": MANAGER,
    "planning:action-remove": MANAGER,
    "planning:kpi-add": MANAGER,
    "planning:kpi": EVERY_ROLE,
    "planning:kpi-edit": MANAGER,
    "planning:kpi-remove": MANAGER,
    "planning:kpi-value-add": {_M, _A, _P},  # the partner officer acts for the action's owner
    "planning:kpi-refresh": POST,
    "planning:prioritisation": EVERY_ROLE,
    "planning:weights": SCORERS,
    "planning:issues-refresh": POST,
    "planning:concern-source": SCORERS,
    "planning:issue-add": SCORERS,
    "planning:issue": EVERY_ROLE,
    "planning:issue-edit": SCORERS,
    "planning:issue-judgement": SCORERS,
    "planning:issue-evidence": SCORERS,
    "planning:issue-remove": SCORERS,
    "planning:workshops": EVERY_ROLE,
    "planning:workshop-add": WORKSHOPPERS,
    "planning:members-survey": POST,
    "planning:workshop": EVERY_ROLE,
    "planning:workshop-edit": WORKSHOPPERS,
    "planning:workshop-remove": WORKSHOPPERS,
    "planning:point-add": WORKSHOPPERS,
    "planning:point-edit": WORKSHOPPERS,
    "planning:point-remove": WORKSHOPPERS,
    "planning:approval": EVERY_ROLE,
    "planning:approval-record": MANAGER,
    "planning:approval-send": POST,
    "planning:comments": EVERY_ROLE,
    "planning:version-save": MANAGER,
    "planning:compare": EVERY_ROLE,
    "planning:version": EVERY_ROLE,
    "planning:eia": EVERY_ROLE,
    "planning:eia-edit": MANAGER,
    "planning:eia-document": EVERY_ROLE,
    "planning:eia-action-add": MANAGER,
    "planning:eia-action-edit": MANAGER,
    "planning:eia-action-remove": MANAGER,
    "planning:eia-row": MANAGER,
    "planning:you-said": EVERY_ROLE,
    "planning:you-said-add": MANAGER,
    "planning:you-said-suggest": POST,
    "planning:you-said-suggestion-accept": MANAGER,
    "planning:you-said-suggestion-dismiss": POST,
    "planning:you-said-edit": MANAGER,
    "planning:you-said-remove": MANAGER,
    "public-plan:index": "public",
    "public-plan:plan": "public",
    "public-plan:you-said-we-did": "public",
    "public-plan:plan-document": "public",
    "public-plan:plan-on-a-page": "public",
}


def url_kwargs(world) -> dict[str, dict]:
    here = world["here"]
    plan = make_plan(here, published=True)
    theme = plan.themes.get()
    priority = Priority.objects.get(theme=theme)
    action = priority.actions.get()
    kpi = action.kpis.get()
    issue = CandidateIssue.objects.get(partnership=here, name="Anti-social behaviour")
    workshop = Workshop.objects.get(partnership=here)
    point = workshop.points.get()
    eia_action = plan.eia.actions.get()
    row = plan.you_said.get()
    suggestion = YouSaidSuggestion.objects.create(plan=plan, source_key="test", you_said="Made-up: you said",
                                                  we_did="Made-up: we did")
    version = plan.versions.get()
    evidence = priority.evidence.first()
    public = {"partnership": here.slug}
    return {
        "planning:document": {"fmt": "json"},
        "planning:theme-edit": {"pk": theme.pk},
        "planning:theme-remove": {"pk": theme.pk},
        "planning:priority": {"pk": priority.pk},
        "planning:priority-edit": {"pk": priority.pk},
        "planning:priority-remove": {"pk": priority.pk},
        "planning:priority-evidence": {"pk": priority.pk},
        "planning:evidence-remove": {"pk": evidence.pk},
        "planning:action-add": {"priority": priority.pk},
        "planning:action": {"pk": action.pk},
        "planning:action-edit": {"pk": action.pk},
        "planning:action-remove": {"pk": action.pk},
        "planning:kpi-add": {"action": action.pk},
        "planning:kpi": {"pk": kpi.pk},
        "planning:kpi-edit": {"pk": kpi.pk},
        "planning:kpi-remove": {"pk": kpi.pk},
        "planning:kpi-value-add": {"pk": kpi.pk},
        "planning:kpi-refresh": {"pk": kpi.pk},
        "planning:issue": {"pk": issue.pk},
        "planning:issue-edit": {"pk": issue.pk},
        "planning:issue-judgement": {"pk": issue.pk},
        "planning:issue-evidence": {"pk": issue.pk},
        "planning:issue-remove": {"pk": issue.pk},
        "planning:workshop": {"pk": workshop.pk},
        "planning:workshop-edit": {"pk": workshop.pk},
        "planning:workshop-remove": {"pk": workshop.pk},
        "planning:point-add": {"workshop": workshop.pk},
        "planning:point-edit": {"pk": point.pk},
        "planning:point-remove": {"pk": point.pk},
        "planning:version": {"pk": version.pk},
        "planning:eia-document": {"fmt": "docx"},
        "planning:eia-action-edit": {"pk": eia_action.pk},
        "planning:eia-action-remove": {"pk": eia_action.pk},
        "planning:eia-row": {"characteristic": "age_0_18"},
        "planning:you-said-edit": {"pk": row.pk},
        "planning:you-said-remove": {"pk": row.pk},
        "planning:you-said-suggestion-accept": {"pk": suggestion.pk},
        "planning:you-said-suggestion-dismiss": {"pk": suggestion.pk},
        "public-plan:plan": public,
        "public-plan:you-said-we-did": public,
        "public-plan:plan-document": {**public, "fmt": "docx"},
        "public-plan:plan-on-a-page": public,
    }
