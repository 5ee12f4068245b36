"""The apps' factories make records the way the product does (real defaults, services used where
the product uses them), so a test built on them tests the product, not a stand-in."""
from __future__ import annotations

import pytest

from saferplan.consultation.factories import EngagementEventFactory, QuestionFactory, ResponseFactory, SurveyFactory
from saferplan.consultation.models import Answer, Response
from saferplan.partnership.factories import PartnershipFactory, RoleFactory, UserFactory
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def test_a_partnership_is_melton_with_its_council_and_police():
    melton = PartnershipFactory()
    assert (melton.slug, melton.area_codes, melton.police_forces) == ("melton", ["E07000133"], ["Leicestershire Police"])
    assert sorted(melton.organisations.values_list("kind", flat=True)) == ["district_council", "police"]
    assert not PartnershipFactory(slug="rutland", name="Rutland CSP", organisations=False).organisations.exists()


def test_a_user_signs_in_with_the_tests_password_and_a_role_belongs_to_its_person_s_partnership():
    user = UserFactory(email="Ann@Example.org")
    assert user.email == "ann@example.org" and user.check_password(PASSWORD)
    role = RoleFactory(kind=RoleKind.ANALYST)
    assert role.partnership == role.person.partnership
    member = make_member(role.partnership, RoleKind.PARTNER_OFFICER)
    assert member.people.get().roles.get().organisation.kind == "police"


def test_a_survey_opens_this_week_with_the_coventry_questions_or_next_week_without():
    survey = SurveyFactory()
    assert survey.status == "Open" and survey.questions.filter(code="q1").exists()
    assert (survey.closes_on - survey.opens_on).days == 84
    later = SurveyFactory(partnership=survey.partnership, slug="later", open_now=False, template="")
    assert later.status == "Scheduled" and not later.questions.exists()


def test_a_response_is_recorded_by_the_service_from_answers_by_label():
    survey = SurveyFactory()
    response = ResponseFactory(survey=survey, answers={"q1": "Yes", "q4": "Speeding on the A606"})
    assert Response.objects.get() == response and response.fingerprint  # the service's duplicate check ran
    assert Answer.objects.get(response=response, question__code="q4").text == "Speeding on the A606"
    with pytest.raises(ValueError, match="q1 has no option 'Perhaps'; its options are Yes, No"):
        ResponseFactory(survey=survey, answers={"q1": "Perhaps"})  # refused, not invented


def test_a_question_gets_its_options_in_order_and_an_event_its_survey():
    question = QuestionFactory(options=["Yes", "No"])
    assert list(question.options.values_list("label", flat=True)) == ["Yes", "No"]
    assert question.survey == question.section.survey
    assert EngagementEventFactory(survey=question.survey).survey.partnership.slug == "melton"
