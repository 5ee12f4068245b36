"""The shared page bases (saferplan.core.pages), through the partnership directory and consultation
pages that use them, and a planning page defined here the way planning will define its own."""
from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse

from saferplan.core.pages import UpdatePage
from saferplan.partnership.factories import OrganisationFactory, PersonFactory
from saferplan.partnership.models import Organisation, RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified
from saferplan.planning.models import PlanStatus, Theme


def u(name, partnership, **kwargs):
    return reverse(f"partnership:{name}", kwargs={"slug": partnership.slug, **kwargs})


@pytest.fixture
def police(partnership):
    return OrganisationFactory(partnership=partnership, name="Leicestershire Police", kind="police")


def test_a_non_member_gets_404_and_a_member_without_the_capability_403(client, partnership, police):
    other = make_partnership("Rutland Community Safety Partnership", "rutland", ("E06000017",))
    sign_in_verified(client, make_member(other, RoleKind.MANAGER))
    assert client.get(u("organisation-edit", partnership, pk=police.pk)).status_code == 404
    assert client.get(u("organisations", partnership)).status_code == 404
    client.logout()
    sign_in_verified(client, make_member(partnership, RoleKind.BOARD_MEMBER))
    assert client.get(u("organisations", partnership)).status_code == 200
    assert client.get(u("organisation-add", partnership)).status_code == 403
    assert client.post(u("organisation-remove", partnership, pk=police.pk)).status_code == 403
    assert Organisation.objects.filter(pk=police.pk).exists()


def test_another_partnerships_record_is_not_found_through_this_one(manager_client, partnership):
    other = make_partnership("Rutland Community Safety Partnership", "rutland", ("E06000017",))
    theirs = OrganisationFactory(partnership=other, name="Rutland County Council")
    for name in ("organisation", "organisation-edit", "organisation-remove"):
        assert manager_client.get(u(name, partnership, pk=theirs.pk)).status_code == 404


def test_a_change_is_saved_with_its_reason_in_the_audit_history(manager_client, partnership, police):
    response = manager_client.post(u("organisation-edit", partnership, pk=police.pk),
                                   {"name": "Leicestershire Police (Melton)", "kind": police.kind})
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = police.history.latest()
    assert latest.history_change_reason == (
        f"Organisation saved through the page at {u('organisation-edit', partnership, pk=police.pk)}")
    assert latest.name == "Leicestershire Police (Melton)"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Organisation “Leicestershire Police (Melton)” has been saved."]


def test_a_wrong_form_keeps_what_was_typed_with_an_error_summary(manager_client, partnership):
    before = Organisation.objects.count()
    page = manager_client.post(u("organisation-add", partnership), {"name": "", "kind": "police", "website": "not a link <b>"})
    text = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in text and "Error:" in text
    assert "not a link &lt;b&gt;" in text  # kept, and escaped
    assert Organisation.objects.count() == before


def test_a_removal_blocked_by_what_still_uses_it_names_them(manager_client, partnership, police):
    PersonFactory(partnership=partnership, organisation=police, full_name="Ann Smith")
    PersonFactory(partnership=partnership, organisation=police, full_name="Bob Jones")
    page = manager_client.post(u("organisation-remove", partnership, pk=police.pk))
    text = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in text
    assert "Leicestershire Police cannot be removed while these depend on it: 2 people (Ann Smith, Bob Jones)" in text
    assert Organisation.objects.filter(pk=police.pk).exists()


def test_a_removal_is_recorded_with_its_reason(manager_client, partnership, police):
    response = manager_client.post(u("organisation-remove", partnership, pk=police.pk))
    assert response.status_code == 302 and response["Location"] == u("organisations", partnership)
    removed = Organisation.history.filter(id=police.pk, history_type="-").get()
    assert removed.history_change_reason.startswith("Organisation removed through the page at")


# A planning page as planning defines it on the bases: a theme of an adopted plan is frozen.
class ThemeEdit(UpdatePage):
    capability = "change_plan"
    partnership_path = "plan__partnership"
    noun = "theme"
    fields = ["title", "description"]

    model = Theme

    def list_url(self):
        return "/plan/"

    def editable(self, obj):
        return obj.plan.editable

    def not_editable_message(self, obj):
        return "The plan has been adopted, so it can no longer be changed"


def _request(user, method="get", data=None):
    request = getattr(RequestFactory(), method)("/theme/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_frozen_object_is_refused_with_the_reason(partnership, manager):
    from saferplan.planning.testing import make_plan

    plan = make_plan(partnership)
    theme = Theme.objects.create(plan=plan, title="Place")
    view = ThemeEdit.as_view()
    assert view(_request(manager), slug=partnership.slug, pk=theme.pk).status_code == 200
    type(plan).objects.filter(pk=plan.pk).update(status=PlanStatus.ADOPTED)
    request = _request(manager, "post", {"title": "Changed"})
    response = view(request, slug=partnership.slug, pk=theme.pk)
    assert response.status_code == 302 and response["Location"] == "/plan/"
    assert [str(m) for m in get_messages(request)] == ["The plan has been adopted, so it can no longer be changed"]
    assert Theme.objects.get(pk=theme.pk).title == "Place"


def test_a_consultation_record_is_added_on_the_shared_form(manager_client, partnership):
    from saferplan.consultation.models import Petition
    from saferplan.consultation.testing import make_survey

    survey = make_survey(partnership)
    add = reverse("consultation:petition-add", kwargs={"slug": partnership.slug, "pk": survey.pk})
    page = manager_client.get(add).content.decode()
    assert "Add a petition" in page and survey.title in page
    response = manager_client.post(add, {"title": "Save our PCSOs", "signatures": "1204", "received_on_day": "2",
                                         "received_on_month": "9", "received_on_year": "2024"})
    assert response["Location"] == reverse("consultation:petitions", kwargs={"slug": partnership.slug, "pk": survey.pk})
    petition = Petition.objects.get()
    assert petition.survey == survey and petition.history.latest().history_change_reason.startswith("Petition added")
