"""The demo partnership's plan: complete, and safe to load twice."""
from __future__ import annotations

import pytest

from saferplan.partnership.demo import load_demo
from saferplan.planning import demo, services
from saferplan.planning.models import KPI, Action, Evidence, FrozenPlan, Plan, Priority, Theme, Workshop, WorkshopPoint

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_complete_adopted_plan_and_is_safe_to_run_twice(data_dir, monkeypatch):
    # Without the assessment's store the demo still builds everything it can.
    monkeypatch.setattr("saferplan.planning.evidence_sources.assessment_summary", lambda p: None)
    monkeypatch.setattr("saferplan.planning.services.refresh_kpi_values", lambda kpi, conn=None: 0)
    partnership = load_demo(data_dir).partnership
    plan = demo.load(partnership)
    counts = [M.objects.count() for M in (Plan, Priority, Action, KPI, Workshop, WorkshopPoint, Evidence)]
    plan = demo.load(partnership)
    assert [M.objects.count() for M in (Plan, Priority, Action, KPI, Workshop, WorkshopPoint, Evidence)] == counts
    assert plan.status == "adopted" and plan.published
    assert [t.title.split(":")[0] for t in plan.themes.all()] == ["Place", "Victim", "Offender", "Engagement"]
    titles = [p.title for p in plan.priorities()]
    assert "Tackle drug related crime" in titles and "Improve road safety" in titles
    assert all(p.evidence.exists() for p in plan.priorities())
    assert all(a.kpis.exists() for a in plan.actions())
    assert Workshop.objects.filter(partnership=partnership).count() == 4
    assert [s.committee for s in plan.approval_steps.all()] == [
        "Melton Community Safety Partnership board", "Scrutiny Committee", "Full Council"]
    # Adopted means frozen: the ranking council saw is kept with the plan, and nothing can be added.
    assert plan.frozen["ranking"] and plan.adopted_at is not None
    with pytest.raises(FrozenPlan):
        Theme.objects.create(plan=plan, title="Added after adoption")
    eia = plan.eia
    assert eia.status == "final" and eia.rows.count() == 11 and eia.actions.count() == 3
    assert eia.reference and eia.signed_off_by and eia.signed_off_role and eia.signed_off_on
    assert plan.you_said.exists()
    versions = list(plan.versions.order_by("number"))
    changes = services.compare(versions[0].snapshot, versions[-1].snapshot)
    assert any(d.noun == "KPI" and d.change == "changed" for d in changes)


def test_the_demo_plan_takes_public_concern_from_the_labelled_example_survey(data_dir, monkeypatch):
    from saferplan.consultation import demo as consultation_demo
    from saferplan.consultation import examples
    from saferplan.planning import documents

    monkeypatch.setattr("saferplan.planning.evidence_sources.assessment_summary", lambda p: None)
    monkeypatch.setattr("saferplan.planning.services.refresh_kpi_values", lambda kpi, conn=None: 0)
    partnership = load_demo(data_dir).partnership
    consultation_demo.load(partnership)  # the open survey: a second priorities question, with no answers
    survey = examples.load(partnership)
    plan = demo.load(partnership)
    assert plan.concern_question_id == survey.questions.get(code="q5").pk
    basis = " ".join(documents.evidence_basis(plan))
    assert f"“{survey.title}”: {examples.RESPONSES} people answered" in basis
    concern = Evidence.objects.filter(content_type__model="priority", object_id__in=plan.priorities().values("pk"),
                                      kind="consultation_result")
    assert concern.exists()
    assert all(f"of the {examples.RESPONSES} respondents" in e.title and survey.title in e.title for e in concern)

