"""Quarterly returns: who may submit, the suggested RAG, locking and corrections, and reminders."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from saferplan.cli import main
from saferplan.delivery.models import QuarterlyReturn, Reminder, ReturnLocked
from saferplan.core.periods import Quarter
from saferplan.delivery.services import funding, returns
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, sign_in_verified

pytestmark = pytest.mark.django_db


def _url(partnership, name, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"slug": partnership.slug, **kwargs})


def test_a_partner_officer_submits_only_for_their_own_organisations_actions(client, partnership, delivered):
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER)  # acts for the police
    sign_in_verified(client, officer)
    round_ = delivered["round"]
    council_action = delivered["plan"].actions().get(owner__kind="district_council")
    path = _url(partnership, "return-submit", quarter=round_.quarter, action=council_action.pk)
    answer = {"status": "on_track", "narrative": "Taken over", "rag": "green"}
    assert client.get(path).status_code == 403
    assert client.post(path, answer).status_code == 403
    assert not QuarterlyReturn.objects.filter(action=council_action).exists()
    # Their own home page lists the police's actions only, with the return to submit.
    page = client.get(_url(partnership, "actions")).content.decode()
    assert "Your organisation’s actions" in page and "Town centre patrols" in page
    assert "Case-manage repeat perpetrators" not in page


def test_a_submitted_return_is_locked_and_a_correction_needs_a_reason(client, partnership, delivered):
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER)
    sign_in_verified(client, officer)
    first = delivered["return"]
    with pytest.raises(ReturnLocked):
        first.narrative = "Changed quietly"
        first.save()
    spend = first.spend.get()
    with pytest.raises(ReturnLocked):
        spend.spent_to_date = Decimal("1.00")
        spend.save()
    path = _url(partnership, "return-submit", quarter=delivered["round"].quarter, action=delivered["action"].pk)
    allocation = delivered["action"].allocations.get()
    typed = {"status": "at_risk", "narrative": "Two weekends lost to the festival", "rag": "amber",
             f"spend_{allocation.pk}": "3,100.25"}
    page = client.post(path, typed)
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text and "Give the reason for correcting the return" in text
    assert "Two weekends lost to the festival" in text and "3,100.25" in text  # what was typed is kept
    response = client.post(path, {**typed, "correction_reason": "The sub-group reviewed the quarter"})
    assert response.status_code == 302
    correction = QuarterlyReturn.objects.get(corrects=first)
    assert correction.status == "at_risk" and correction.correction_reason == "The sub-group reviewed the quarter"
    assert correction.spend.get().spent_to_date == Decimal("3100.25")
    assert QuarterlyReturn.objects.get(pk=first.pk).narrative == "Patrols every weekend."  # kept as first sent
    assert returns.current_returns(delivered["round"])[delivered["action"].pk] == correction
    assert funding.spent_to_date(allocation) == Decimal("3100.25")


def test_changing_the_suggested_rag_needs_a_reason(partnership, delivered):
    round_, action = delivered["round"], delivered["plan"].actions().get(owner__kind="district_council")
    # Due 31 March 2023, on track in Q2 2022-23: green suggested.
    assert returns.suggest_rag(action, "on_track", None, round_.period)[0] == "green"
    with pytest.raises(returns.ReturnRefused) as refused:
        returns.submit_return(round_, action, status="on_track", narrative="Fine", rag="red")
    assert "rag_reason" in refused.value.message_dict
    ret = returns.submit_return(round_, action, status="on_track", narrative="Fine", rag="red",
                                rag_reason="The board asked for it to be watched")
    assert (ret.rag_suggested, ret.rag, ret.overridden) == ("green", "red", True)


@pytest.mark.parametrize("status, forecast, quarter, expected", [
    ("complete", None, Quarter(2024, 4), "green"),
    ("off_track", None, Quarter(2022, 2), "red"),
    ("on_track", None, Quarter(2023, 1), "red"),  # due 31 March 2023 and not complete
    ("at_risk", None, Quarter(2022, 2), "amber"),
    ("not_started", None, Quarter(2022, 2), "amber"),  # its start date, 1 April 2022, has passed
    ("on_track", date(2023, 6, 30), Quarter(2022, 2), "amber"),  # expected after its due date
    ("on_track", None, Quarter(2022, 2), "green"),
])
def test_the_suggested_rag_follows_status_dates_and_kpis(delivered, status, forecast, quarter, expected):
    action = delivered["plan"].actions().get(owner__kind="district_council")
    assert returns.suggest_rag(action, status, forecast, quarter)[0] == expected


def test_a_red_kpi_makes_an_on_track_action_amber(delivered):
    patrols = delivered["action"]  # its KPI is red against the trajectory at the end of Q3 2022-23
    rag, reasons = returns.suggest_rag(patrols, "on_track", None, Quarter(2022, 3))
    assert rag == "amber" and any("against its trajectory" in r for r in reasons)


def test_a_round_is_only_for_a_quarter_of_the_plan(manager_client, partnership, delivered):
    path = _url(partnership, "round-open")
    page = manager_client.post(path, {"quarter": "2025-26-Q1", "deadline_day": "31", "deadline_month": "7",
                                      "deadline_year": "2025"})
    assert page.status_code == 200 and "Choose a quarter of the plan" in page.content.decode()
    with pytest.raises(returns.ReturnRefused):
        returns.open_round(delivered["plan"], Quarter(2025, 1), date(2025, 7, 31))
    response = manager_client.post(path, {"quarter": "2022-23-Q3", "deadline_day": "31", "deadline_month": "1",
                                          "deadline_year": "2023"})
    assert response.status_code == 302 and response["Location"].endswith("/returns/2022-23-Q3/")


def test_overdue_returns_are_flagged_and_reminded_by_the_scheduler_and_the_button(
        client, manager_client, partnership, delivered, capsys):
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER, organisation=partnership.organisations.get(
        kind="district_council"))
    round_ = delivered["round"]
    rows = returns.round_rows(round_, date(2022, 11, 1))
    assert [(r.action.title, r.state) for r in rows] == [("Town centre patrols", "Submitted"),
                                                         ("Case-manage repeat perpetrators", "Overdue")]
    assert main(["delivery", "remind"]) == 0
    assert "Reminded" in capsys.readouterr().out
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [officer.email]
    assert "Case-manage repeat perpetrators" in mail.outbox[0].body
    assert main(["delivery", "remind"]) == 0  # not again within the week
    assert len(mail.outbox) == 1
    # The manager's button always sends (through the job worker; immediate in tests).
    response = manager_client.post(_url(partnership, "round-remind", quarter=round_.quarter))
    assert response.status_code == 302 and len(mail.outbox) == 2
    assert Reminder.objects.filter(round=round_).count() == 2
    page = manager_client.get(_url(partnership, "round", quarter=round_.quarter)).content.decode()
    assert "Overdue" in page and "Reminders sent" in page


def test_a_partner_officers_home_lists_their_organisations_actions_and_returns_due(client, delivered):
    from saferplan.partnership.models import RoleKind
    from saferplan.partnership.testing import make_member, sign_in_verified

    partnership = delivered["plan"].partnership
    council = partnership.organisations.get(kind="district_council")
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER, organisation=council)
    sign_in_verified(client, officer)
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Your organisation’s actions" in page
    assert "Case-manage repeat perpetrators" in page  # the council's
    assert "Town centre patrols" not in page  # the police's
    assert "Return overdue" in page  # the 2022-23 Q2 round's deadline has passed, and nothing was sent
