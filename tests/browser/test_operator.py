"""The site operator in Chromium, axe-core on every page: from the printed one-time link to a
new partnership, its first manager's invitation, suspension and reactivation; then its manager
sets the logo, and residents see it and the closed consultations of a suspended partnership."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplan.cli import main
from saferplan.partnership.models import Partnership, RoleKind, User
from saferplan.partnership.testing import PASSWORD, give_logo, make_member, make_partnership, tiny_png

from tests.assessment.web import store  # noqa: F401 - a fresh, empty crime store: no force is known for Cardiff

from .pages import Journey, code_for_secret

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_sets_up_creates_suspends_and_reactivates_a_partnership(browse, capsys, tmp_path, store):  # noqa: F811
    make_partnership()  # another partnership, which the operator sees listed but cannot open
    assert main(["operator", "create", "ops@site.example"]) == 0
    link = re.search(r"(/invitation/[\w-]+/)", capsys.readouterr().out).group(1)
    j = Journey(browse)
    j.visit(link)
    j.page.get_by_label("Full name").fill("Olu Operator")
    j.page.get_by_label("Create a password").fill(PASSWORD)
    j.submit("Create account")
    # A second factor before anything else.
    assert j.heading() == "Set up your second factor"
    secret = j.page.locator("#totp-secret").inner_text()
    j.page.get_by_label("Security code").fill(code_for_secret(secret))
    j.submit("Turn on second factor")
    assert User.objects.get(email="ops@site.example").is_operator

    j.visit(reverse("operator:partnerships"))
    assert j.heading() == "Partnerships" and "Melton Community Safety Partnership" in j.page.inner_text("main")
    j.submit("Create a partnership")
    j.submit("Continue")
    assert j.error_summary() == ["Add at least one local authority the partnership covers"]
    j.page.get_by_label("Find a local authority").fill("cardiff")
    j.submit("Search")
    j.submit("Add Cardiff")
    assert "W06000015" in j.page.inner_text(".govuk-summary-list")
    j.submit("Continue")
    assert j.heading() == "The partnership’s details"
    assert j.page.get_by_label("Partnership name").input_value() == "Cardiff Community Safety Partnership"
    j.submit("Create partnership")
    assert "Select police forces serving the area" in j.error_summary()
    j.page.get_by_label("South Wales Police").check()
    j.submit("Create partnership")
    assert j.heading() == "Invite a manager"
    j.page.get_by_label("Full name").fill("Cerys Manager")
    j.page.get_by_label("Email address").fill("cerys@cardiff.example")
    j.submit("Send invitation")
    assert "Cardiff Community Safety Partnership" == j.heading()
    assert "cerys@cardiff.example" in j.page.inner_text("main")

    j.submit("Suspend")
    j.submit("Suspend partnership")
    assert j.error_summary()
    j.page.get_by_label("Reason").fill("Paused at the council's request")
    j.submit("Suspend partnership")
    assert "Suspended" in j.page.inner_text("main")
    assert Partnership.objects.get(slug="cardiff").is_suspended
    j.submit("Reactivate")
    j.page.get_by_label("Reason").fill("Resumed")
    j.submit("Reactivate partnership")
    assert not Partnership.objects.get(slug="cardiff").is_suspended
    j.visit(reverse("operator:partnerships"))
    assert "Cardiff Community Safety Partnership" in j.page.inner_text("main")


def test_a_suspended_partnership_and_its_logo_seen_by_staff_and_residents(browse, tmp_path):
    partnership = make_partnership()
    give_logo(partnership)
    manager = make_member(partnership, RoleKind.MANAGER)
    from saferplan.partnership.testing import add_totp

    from .pages import code_for_device

    device = add_totp(manager)
    j = Journey(browse)
    j.sign_in(manager.email, PASSWORD).enter_code(code_for_device(device))
    j.visit(reverse("partnership:logo", kwargs={"slug": partnership.slug}))
    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png(colour=(200, 30, 30)))
    j.page.get_by_label("Logo", exact=True).set_input_files(str(logo))
    j.page.get_by_label("What the logo says or shows").fill("Melton Borough Council crest")
    j.submit("Save logo")
    assert j.page.locator("header img[alt='Melton Borough Council crest']").count() == 1
    partnership.refresh_from_db()
    partnership.suspend("Contract ended")
    j.visit(partnership.get_absolute_url())
    assert j.heading() == "Melton Community Safety Partnership is suspended"
    j.visit(reverse("public-consultation:partnership", kwargs={"partnership": partnership.slug}))
    assert "consultations are closed" in j.page.inner_text("main")
    assert j.page.locator("header img[alt='Melton Borough Council crest']").count() == 1
    j.visit(reverse("public-consultation:index"))
    assert "Melton Community Safety Partnership" not in j.page.inner_text("main")
