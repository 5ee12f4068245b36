"""Delivery in the browser: a partner officer sends their organisation's quarterly return (the
error summary first, then the return), and reads the KPIs and the risk register; a manager issues
a read API token for the KPIs alone; axe-core checks every page on the way."""
from __future__ import annotations

import pytest

from saferplan.delivery.models import ApiToken, QuarterlyReturn
from saferplan.delivery.testing import make_delivery
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership

from .pages import Journey, code_for_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_partner_officer_sends_their_organisations_return(browse):
    partnership = make_partnership()
    made = make_delivery(partnership)
    council = partnership.organisations.get(kind="district_council")
    make_member(partnership, RoleKind.PARTNER_OFFICER, organisation=council, email="council@melton.example")
    journey = Journey(browse)
    journey.sign_in("council@melton.example", PASSWORD)
    # Their home lists their organisation's action, its return overdue.
    own = journey.page.locator("#own-work + p + ul").inner_text()
    assert "Case-manage repeat perpetrators" in own and "Return overdue" in own and "Town centre patrols" not in own
    browse.axe()
    journey.click_link("Delivery")
    assert journey.heading() == "Delivery"
    journey.click_link("Actions")
    assert journey.heading() == "Your organisation’s actions"
    rows = journey.page.locator("tbody tr").all_inner_texts()
    assert len(rows) == 1 and "Case-manage repeat perpetrators" in rows[0] and "Overdue" in rows[0]
    journey.page.get_by_role("link", name="Submit the return for Case-manage repeat perpetrators").click()
    journey.page.wait_for_load_state("load")
    browse.axe()
    journey.submit("Submit the return")
    assert "Describe the progress made this quarter" in journey.error_summary()
    journey.page.get_by_label("Off track").check()
    journey.page.get_by_label("Progress this quarter").fill("The case worker left in August; cases paused.")
    journey.page.get_by_label("Green").check()
    journey.submit("Submit the return")
    assert any("give the reason for changing it to green" in e for e in journey.error_summary())
    assert journey.page.get_by_label("Progress this quarter").input_value().startswith("The case worker left")
    journey.page.get_by_label("Red").check()
    journey.submit("Submit the return")
    assert journey.heading() == "Case-manage repeat perpetrators"
    ret = QuarterlyReturn.objects.get(action__owner=council)
    assert (ret.status, ret.rag, ret.round_id) == ("off_track", "red", made["round"].pk)
    assert "Red" in journey.page.locator(".govuk-tag").all_inner_texts()
    journey.click_link("Back to the returns for 2022-23 Q2")
    journey.visit(f"/p/{partnership.slug}/delivery/kpis/")
    journey.click_link("Anti-social behaviour incidents per quarter")
    assert journey.page.locator("figure img").count() == 1 and journey.page.locator("table").count() == 1
    journey.visit(f"/p/{partnership.slug}/delivery/risks/")
    assert "1 risk" in journey.page.locator(".app-heat-map").inner_text()


def test_a_manager_issues_a_token_that_reads_only_the_kpis(browse):
    partnership = make_partnership()
    make_delivery(partnership)
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    journey = Journey(browse)
    journey.sign_in("manager@melton.example", PASSWORD).enter_code(code_for_device(device))
    journey.visit(f"/p/{partnership.slug}/delivery/api-tokens/")
    page = journey.page
    page.get_by_label("What the token is for").fill("Fire service dashboard")
    journey.submit("Issue a token")
    assert journey.error_summary() == ["Choose what the token may read"]
    assert page.get_by_label("What the token is for").input_value() == "Fire service dashboard"
    journey.page.get_by_role("link", name="Choose what the token may read").click()
    # The error's link leads to the first box, from which the keyboard reaches the others.
    assert page.evaluate("document.activeElement.value") == "plan"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    journey.submit("Issue a token")
    assert page.locator(".govuk-panel__title").inner_text() == "Token issued"
    assert ApiToken.objects.get().scopes == ["kpis"]
    assert "KPIs and their values" in page.locator("main").inner_text()
