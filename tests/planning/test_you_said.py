"""'You said, we did': rows drafted from the consultation are suggestions, kept apart until a
person accepts them (as drafted or changed) or dismisses them."""
from __future__ import annotations

import pytest
from django.urls import reverse

from saferplan.consultation.testing import make_survey, respond
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified
from saferplan.planning import services
from saferplan.planning.models import Evidence, YouSaidSuggestion, YouSaidWeDid

pytestmark = pytest.mark.django_db

ASB = ("Anti-social Behaviour (i.e. noisy neighbours, begging, hanging around streets, minor damage, graffiti)")


def url(partnership, name, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": partnership.slug, **kwargs})


@pytest.fixture
def answered(partnership, plan):
    """One survey's priorities question, answered by 12 people: 10 chose ASB, 12 burglary."""
    survey = make_survey(partnership)
    for n in range(12):
        respond(survey, q5=["Burglary"] + ([ASB] if n < 10 else []))
    return survey


def _draft(manager_client, partnership):
    response = manager_client.post(url(partnership, "you-said-suggest"))
    assert response.status_code == 302
    return list(YouSaidSuggestion.objects.filter(plan__partnership=partnership).order_by("pk"))


def test_drafting_makes_suggestions_not_rows(manager_client, client, partnership, plan, answered):
    rows_before = list(plan.you_said.values_list("pk", flat=True))
    suggestions = _draft(manager_client, partnership)
    assert suggestions and all(s.status == "suggested" for s in suggestions)
    assert list(plan.you_said.values_list("pk", flat=True)) == rows_before  # nothing in the plan yet
    burglary = next(s for s in suggestions if "Burglary" in s.you_said)
    chose = "100% of the 12 respondents who answered the question on priorities chose “Burglary”"
    assert chose in burglary.you_said
    page = manager_client.get(url(partnership, "you-said")).content.decode()
    assert "Suggestions to check" in page and burglary.you_said in page
    # Not published until accepted.
    services.publish(plan)
    public = client.get(reverse("public-plan:you-said-we-did", kwargs={"partnership": partnership.slug}))
    assert burglary.you_said not in public.content.decode()
    # Drafting again suggests nothing new.
    assert len(_draft(manager_client, partnership)) == len(suggestions)


def test_accepting_as_drafted_makes_a_row_citing_the_result(manager_client, partnership, plan, answered, manager):
    suggestion = _draft(manager_client, partnership)[0]
    response = manager_client.post(url(partnership, "you-said-suggestion-accept", pk=suggestion.pk),
                                   {"as_drafted": "1"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", manager)
    row = suggestion.row
    assert (row.you_said, row.we_did) == (suggestion.you_said, suggestion.we_did)
    evidence = Evidence.objects.get(object_id=row.pk, content_type__model="yousaidwedid")
    assert (evidence.kind, evidence.source_model) == ("consultation_result", "option")
    # Accepting twice is refused, with a reason, and makes no second row.
    response = manager_client.post(url(partnership, "you-said-suggestion-accept", pk=suggestion.pk),
                                   {"as_drafted": "1"})
    assert response.status_code == 404
    assert YouSaidWeDid.objects.filter(you_said=suggestion.you_said).count() == 1


def test_changing_a_suggestion_before_accepting_keeps_what_was_typed(manager_client, partnership, plan, answered):
    suggestion = _draft(manager_client, partnership)[0]
    accept = url(partnership, "you-said-suggestion-accept", pk=suggestion.pk)
    assert suggestion.you_said in manager_client.get(accept).content.decode()
    response = manager_client.post(accept, {"you_said": "", "we_did": "We funded two more wardens"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "We funded two more wardens" in page
    assert not YouSaidWeDid.objects.filter(we_did="We funded two more wardens").exists()
    response = manager_client.post(accept, {"you_said": "Most of you named burglary",
                                            "we_did": "We funded two more wardens"})
    assert response.status_code == 302
    row = YouSaidWeDid.objects.get(we_did="We funded two more wardens")
    assert row.you_said == "Most of you named burglary"
    suggestion.refresh_from_db()
    assert suggestion.row == row and suggestion.you_said != row.you_said  # the suggestion as drafted is kept


def test_a_dismissed_suggestion_makes_no_row_and_is_not_drafted_again(manager_client, partnership, plan, answered):
    suggestions = _draft(manager_client, partnership)
    rows = plan.you_said.count()
    response = manager_client.post(url(partnership, "you-said-suggestion-dismiss", pk=suggestions[0].pk))
    assert response.status_code == 302
    suggestions[0].refresh_from_db()
    assert suggestions[0].status == "dismissed" and plan.you_said.count() == rows
    assert suggestions[0].you_said not in manager_client.get(url(partnership, "you-said")).content.decode()
    _draft(manager_client, partnership)
    assert YouSaidSuggestion.objects.filter(plan=plan, source_key=suggestions[0].source_key).count() == 1


def test_another_partnerships_manager_cannot_reach_a_suggestion(client, partnership, plan, answered, manager_client):
    suggestion = _draft(manager_client, partnership)[0]
    other = make_partnership(name="Other CSP", slug="other", codes=("E07000134",))
    sign_in_verified(client, make_member(other, RoleKind.MANAGER))
    for name in ("you-said-suggestion-accept", "you-said-suggestion-dismiss"):
        assert client.post(url(partnership, name, pk=suggestion.pk), {"as_drafted": "1"}).status_code == 404
        assert client.post(url(other, name, pk=suggestion.pk), {"as_drafted": "1"}).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested"
