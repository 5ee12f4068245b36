"""The foundation as people use it: signing in with a second factor, the plan cycle, the directory."""
from __future__ import annotations

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferplan.partnership.models import CycleStage, Organisation, RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership

from .pages import (Journey, OrganisationFormPage, OrganisationsPage, PlanCyclePage, RecordPage, SecurityCodePage,
                    SetUpSecondFactorPage, SignInPage, StagePage, code_for_device)

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_signs_in_with_a_second_factor_and_uses_the_task_list(browse):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    journey = Journey(browse)
    code, cycle, stage = SecurityCodePage(journey), PlanCyclePage(journey), StagePage(journey)

    SignInPage(journey).sign_in("manager@melton.example", PASSWORD)
    assert journey.heading() == "Security code"
    code.enter("000000" if code_for_device(device) != "000000" else "111111")
    assert "The security code is not right" in journey.error_summary()[0]
    # A wrong code makes the device refuse to check another for a second (see test_signin).
    journey.page.wait_for_timeout(1100)
    code.enter(code_for_device(device))
    assert journey.heading().startswith("Plan cycle")
    assert cycle.stages.count() == 7
    assert "Not yet started" in cycle.stages.nth(1).inner_text()

    # Stages with pages of their own link there; every stage has a page saying why its status is
    # what it is, where the manager may mark it done.
    assert cycle.stage_link("1. Strategic assessment").get_attribute("href").endswith("/assessment/")
    # Delivery has pages of its own; they link to its stage page, where it can be marked done.
    journey.click_link("7. Delivery")
    journey.click_link("Delivery in the plan cycle")
    assert journey.heading() == "Delivery"
    assert "Delivery starts once the plan is adopted" in stage.why.inner_text()
    stage.mark_done.check()
    stage.save()
    assert "Delivery is now marked done" in stage.success_banner.inner_text()
    delivery = cycle.stages.nth(6).inner_text()
    assert "Completed" in delivery and "Marked done by" in delivery
    assert CycleStage.objects.get(partnership=partnership, stage="delivery").status == "completed"


def test_analyst_without_a_second_factor_must_set_one_up_first(browse):
    partnership = make_partnership()
    make_member(partnership, RoleKind.ANALYST, email="analyst@melton.example")
    journey = Journey(browse)
    sign_in = SignInPage(journey)

    sign_in.sign_in("analyst@melton.example", PASSWORD)
    assert journey.heading() == "Set up your second factor"
    # Any other page sends them back here until it is done.
    journey.visit(partnership.get_absolute_url())
    assert journey.heading() == "Set up your second factor"
    codes = SetUpSecondFactorPage(journey).turn_on()
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user__email="analyst@melton.example").confirmed
    journey.click_link("Continue")
    assert journey.heading().startswith("Plan cycle")

    # A recovery code works once, in place of the app's code.
    PlanCyclePage(journey).sign_out.click()
    journey.browse.axe()
    sign_in.sign_in("analyst@melton.example", PASSWORD)
    SecurityCodePage(journey).enter(codes[0])
    assert journey.heading().startswith("Plan cycle")
    assert StaticToken.objects.filter(device__user__email="analyst@melton.example").count() == 9


def test_manager_adds_an_organisation_and_sees_its_history(browse):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    journey = Journey(browse)
    SignInPage(journey).sign_in("manager@melton.example", PASSWORD)
    SecurityCodePage(journey).enter(code_for_device(device))
    form = OrganisationFormPage(journey)

    journey.click_link("Partnership")
    journey.click_link("Organisations")
    journey.click_link("Add an organisation")
    form.website.fill("not a web address")
    form.add()
    errors = journey.error_summary()
    # Each message names its field; the website must be https:// (one rule for every link field).
    assert "Enter name" in errors and "Select type of organisation" in errors
    assert "This field is required." not in errors
    assert any("Enter a web address starting with https://" in e for e in errors)
    # The form keeps what was typed.
    assert form.website.input_value() == "not a web address"
    # The error summary links to the field: following it by keyboard moves focus there.
    form.first_error_link.focus()
    journey.page.keyboard.press("Enter")

    form.name.fill("Melton Mowbray Town Estate")
    form.kind("Voluntary or community group").check()
    form.website.fill("https://example.org/estate")
    form.add()
    assert journey.heading() == "Melton Mowbray Town Estate"
    history = RecordPage(journey).history.inner_text()
    assert "Created" in history and manager.full_name in history and "Voluntary or community group" in history
    assert Organisation.objects.filter(partnership=partnership, name="Melton Mowbray Town Estate").exists()


def test_partner_officer_sees_no_managers_controls(browse):
    partnership = make_partnership()
    make_member(partnership, RoleKind.PARTNER_OFFICER, email="police@melton.example")
    journey = Journey(browse)
    SignInPage(journey).sign_in("police@melton.example", PASSWORD)
    assert journey.heading().startswith("Plan cycle")
    journey.click_link("Partnership")
    journey.click_link("Organisations")
    assert OrganisationsPage(journey).add_organisation.count() == 0
    journey.visit(partnership.get_absolute_url() + "organisations/add/")
    assert journey.heading() == "You cannot do this"


def test_public_pages_and_errors_are_accessible(browse):
    journey = Journey(browse)
    for path, heading in [
        ("/accessibility/", "Accessibility statement for Saferplan"),
        ("/privacy/", "Privacy notice"),
        ("/cookies/", "Cookies"),
        ("/password-reset/", "Reset your password"),
        ("/no-such-page/", "Page not found"),
    ]:
        journey.visit(path)
        assert journey.heading() == heading
    # Keyboard: the first Tab reaches the skip link, which moves focus to the main content.
    journey.visit("/sign-in/")
    journey.page.keyboard.press("Tab")
    assert journey.page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
