"""The plan as a manager builds it in the browser: themes, priorities with evidence, actions and
KPIs; the prioritisation matrix re-ranked by its weights; approval meetings and versions compared."""
from __future__ import annotations

from datetime import date

import pytest

from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership
from saferplan.planning import services
from saferplan.planning.models import KPI, Plan, PointKind, Priority, Workshop
from saferplan.planning.testing import make_plan
from tests.planning.conftest import fake_assessment

from .pages import Journey, code_for_device

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_manager(browse):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    journey = Journey(browse)
    journey.sign_in("manager@melton.example", PASSWORD).enter_code(code_for_device(device))
    return partnership, journey


def test_manager_builds_a_priority_with_evidence_and_an_action_with_a_kpi(browse):
    partnership, journey = signed_in_manager(browse)
    workshop = Workshop.objects.create(partnership=partnership, title="Public place safety", held_on=date(2024, 10, 15))
    workshop.points.create(kind=PointKind.PRIORITY, text="Make anti-social behaviour a priority")
    page = journey.page

    journey.click_link("Plan")
    assert journey.heading() == "The plan"
    journey.click_link("Start the plan")
    journey.submit("Start the plan")
    assert Plan.objects.filter(partnership=partnership).exists()
    journey.click_link("Add a theme")
    page.get_by_label("Theme", exact=True).fill("Place: safer streets")
    journey.submit("Add theme")
    journey.click_link("Add a priority")
    page.get_by_label("Priority", exact=True).fill("Tackle anti-social behaviour")
    page.get_by_label("Why this is a priority").fill("Anti-social behaviour rose by a fifth.")
    page.get_by_label("Workshop point: Public place safety workshop: Make anti-social behaviour a priority").check()
    journey.submit("Add priority")
    assert journey.heading() == "Tackle anti-social behaviour"
    evidence = page.locator(".app-evidence").all_inner_texts()
    assert any("Make anti-social behaviour a priority" in e for e in evidence)

    journey.click_link("Add an action")
    journey.submit("Add action")
    assert "Enter action" in journey.error_summary()
    page.get_by_label("Action", exact=True).fill("Joint patrols in the town centre")
    page.get_by_label("Owner organisation").select_option(label="Melton Community Safety Partnership police")
    page.locator("#id_due_on_day").fill("31")
    page.locator("#id_due_on_month").fill("3")
    page.locator("#id_due_on_year").fill(str(Plan.objects.get(partnership=partnership).starts_on.year + 1))
    page.get_by_label("PCC Crime Reduction Grant").check()
    page.get_by_label("Amount in pounds (optional)").fill("12000")
    journey.submit("Add action")
    assert journey.heading() == "Joint patrols in the town centre"
    assert "PCC Crime Reduction Grant: £12,000" in page.locator(".govuk-summary-list").inner_text()

    journey.click_link("Add a KPI")
    page.get_by_label("Indicator").fill("Anti-social behaviour records per quarter")
    page.get_by_label("Count", exact=True).check()
    page.get_by_label("Baseline (optional)", exact=True).fill("300")
    page.get_by_label("Target (optional)", exact=True).fill("270")
    page.get_by_label("Lower is better").check()
    page.get_by_label("Quarterly").check()
    page.get_by_label("Data source").fill("police.uk")
    page.get_by_label("Police.uk records of a category in the area").check()
    page.get_by_label("Police.uk category").select_option("Anti-social behaviour")
    journey.submit("Add KPI")
    assert journey.heading() == "Anti-social behaviour records per quarter"
    kpi = KPI.objects.get(action__priority__title="Tackle anti-social behaviour")
    assert kpi.measure_category == "Anti-social behaviour" and kpi.target == 270

    journey.click_link("Back to Joint patrols in the town centre")
    journey.click_link("Back to Tackle anti-social behaviour")
    journey.click_link("Back to the plan")
    overview = page.locator("main").inner_text()
    assert "Place: safer streets" in overview and "Joint patrols in the town centre" in overview


def test_changing_the_weights_re_ranks_the_issues(browse):
    partnership, journey = signed_in_manager(browse)
    services.refresh_issues(partnership, summary=fake_assessment(), concern=None)
    journey.visit(f"/p/{partnership.slug}/plan/prioritisation/")
    first = journey.page.locator("#matrix tbody tr").first.locator("th").inner_text()
    assert first == "Violent crime"  # the most records and the most harm
    for name, value in [("Volume and rate", "0"), ("Trend", "5"), ("Harm", "0"), ("Public concern", "0"),
                        ("Partner view", "0"), ("Judgement", "0")]:
        journey.page.get_by_label(name, exact=True).fill(value)
    journey.submit("Re-rank with these weights")
    rows = journey.page.locator("#matrix tbody tr")
    # Only the trend counts now: the significant rises (ASB, shoplifting) come first.
    assert rows.first.locator("th").inner_text() == "Anti-social behaviour"
    assert "5.00" in rows.first.inner_text()
    assert services.weights_for(partnership).trend == 5
    # Each score links to the evidence it came from.
    journey.page.locator("#matrix tbody tr").first.get_by_role("link", name="Assessment data").first.is_visible()


def test_approval_meetings_are_recorded_and_versions_compared(browse):
    partnership, journey = signed_in_manager(browse)
    plan = make_plan(partnership)
    page = journey.page
    journey.visit(f"/p/{partnership.slug}/plan/approval/")
    journey.click_link("Record a meeting")
    # Scrutiny cannot consider a draft the board has not signed off.
    page.get_by_label("Scrutiny", exact=True).check()
    page.get_by_label("Committee or meeting").fill("Scrutiny Committee")
    page.locator("#id_meeting_on_day").fill("4")
    page.locator("#id_meeting_on_month").fill("3")
    page.locator("#id_meeting_on_year").fill("2025")
    page.get_by_label("Commented and noted").check()
    journey.submit("Record the meeting")
    assert any("the partnership board signs the draft off first" in e for e in journey.error_summary())
    page.get_by_label("Partnership board sign-off").check()
    page.get_by_label("Committee or meeting").fill("Partnership board")
    page.locator("#id_meeting_on_day").fill("11")
    page.locator("#id_meeting_on_month").fill("2")
    page.get_by_label("Recommended for approval").check()
    journey.submit("Record the meeting")
    journey.click_link("Record a meeting")
    page.get_by_label("Scrutiny", exact=True).check()
    page.get_by_label("Committee or meeting").fill("Scrutiny Committee")
    page.locator("#id_meeting_on_day").fill("4")
    page.locator("#id_meeting_on_month").fill("3")
    page.locator("#id_meeting_on_year").fill("2025")
    page.get_by_label("The committee’s comments (optional)").fill("Members expressed concern at the lack of targets.")
    page.get_by_label("Commented and noted").check()
    journey.submit("Record the meeting")
    assert "Members expressed concern at the lack of targets." in page.locator(".moj-timeline").inner_text()

    priority = Priority.objects.get(theme__plan=plan)
    journey.visit(priority.get_absolute_url())
    journey.click_link("Change the priority")
    page.get_by_label("Priority", exact=True).fill("Reduce anti-social behaviour in the town centre")
    journey.submit("Save changes")

    journey.visit(f"/p/{partnership.slug}/plan/approval/")
    journey.click_link("Record a meeting")
    page.get_by_label("Full council").check()
    page.get_by_label("Committee or meeting").fill("Full Council")
    page.locator("#id_meeting_on_day").fill("26")
    page.locator("#id_meeting_on_month").fill("3")
    page.locator("#id_meeting_on_year").fill("2025")
    page.get_by_label("Approved", exact=True).check()
    journey.submit("Record the meeting")
    plan.refresh_from_db()
    assert plan.status == "adopted"

    page.get_by_label("Earlier version").select_option(label="Version 3: Considered by Scrutiny Committee on 4 March 2025")
    page.get_by_label("Later version").select_option(label="Version 4: Considered by Full Council on 26 March 2025")
    journey.submit("Compare")
    differences = page.locator("#differences").inner_text()
    assert "Reduce anti-social behaviour in the town centre" in differences and "Changed" in differences

    # The adopted plan is kept as approved; a change starts a revision, a new draft that goes through approval.
    journey.visit(priority.get_absolute_url())
    assert page.get_by_role("link", name="Change the priority").count() == 0
    journey.visit(f"/p/{partnership.slug}/plan/approval/")
    journey.click_link("Start a revision")
    journey.submit("Start a revision")
    assert "A revision of" in page.locator(".govuk-notification-banner").inner_text()
    revision = Plan.objects.get(revision_of=plan)
    assert revision.status == "draft" and "draft revision of the adopted plan" in page.locator("main").inner_text()
