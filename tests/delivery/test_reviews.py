"""The annual review: a revision of the adopted plan, recorded with what changed and why, sent to
the PCC as a document; the public keeps seeing the adopted plan until the revision is adopted."""
from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from saferplan.delivery.models import AnnualReview
from saferplan.delivery.services import reviews
from saferplan.planning import services as planning_services
from saferplan.planning.models import PlanStatus

pytestmark = pytest.mark.django_db


def test_starting_a_review_makes_a_revision_and_records_the_year(delivered):
    plan = delivered["plan"]
    review = reviews.start_review(plan, "2023-24")
    assert review.revision.revision_of == plan and review.revision.status == PlanStatus.DRAFT
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED
    assert reviews.changes(review) == []
    assert "stays in force" in reviews.status_text(review)
    with pytest.raises(ValidationError, match="already been started"):
        reviews.start_review(plan, "2023-24")
    with pytest.raises(ValidationError, match="not a year of the plan"):
        reviews.start_review(plan, "2030-31")


def test_what_the_revision_changes_is_worked_out(delivered):
    review = reviews.start_review(delivered["plan"], "2022-23")
    revision = review.revision
    patrols = revision.actions().get(title="Town centre patrols")
    patrols.due_on = date(2026, 3, 31)
    patrols.save()
    revision.actions().get(title="Case-manage repeat perpetrators").delete()
    texts = [c.text for c in reviews.changes(review)]
    assert "Action changed: Town centre patrols (due 31 March 2025 to 31 March 2026)" in texts
    assert "Action dropped: Case-manage repeat perpetrators" in texts


def test_public_pages_keep_the_adopted_plan_until_the_revision_is_adopted(client, delivered):
    plan = delivered["plan"]
    planning_services.publish(plan)
    review = reviews.start_review(plan, "2022-23")
    revision = review.revision
    action = revision.actions().get(title="Town centre patrols")
    action.title = "Town centre and market patrols"
    action.save()
    public = reverse("public-plan:plan", kwargs={"partnership": plan.partnership.slug})
    page = client.get(public).content.decode()
    assert "Town centre patrols" in page and "Town centre and market patrols" not in page
    with pytest.raises(Exception):
        planning_services.publish(revision)  # a revision is published only by its adoption
    for stage in ("board", "council"):
        planning_services.record_step(revision, stage=stage, committee=stage.title(), meeting_on=date(2023, 3, 1),
                                      comments="", decision="approved")
    revision.refresh_from_db()
    plan.refresh_from_db()
    assert (revision.status, plan.status) == (PlanStatus.ADOPTED, PlanStatus.SUPERSEDED)
    page = client.get(public).content.decode()
    assert "Town centre and market patrols" in page
    review.refresh_from_db()
    assert reviews.status_text(review).startswith("The revision was adopted")


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_review_goes_to_the_pcc_as_a_document(delivered, fmt):
    review = reviews.start_review(delivered["plan"], "2022-23")
    review.what_changed = "Patrols extended to the market."
    review.why = "The refreshed assessment shows shop theft rising at the market."
    review.pcc_name = "Office of the Police and Crime Commissioner for Leicestershire"
    review.assessment_period = "2023-10:2024-09"
    reviews.save_review(review)
    content = reviews.review_file(review, fmt)
    text = ("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages) if fmt == "pdf" else
            "\n".join(p.text for p in Docx(io.BytesIO(content)).paragraphs))
    text = " ".join(text.split())
    assert "Patrols extended to the market." in text
    assert "October 2023 to September 2024" in text
    # The year's returns, as the board saw them: the patrols' one return of 2022-23 Q2.
    assert "1 of the plan’s 2 actions had a return" in text


def test_a_wrong_assessment_period_is_refused_saying_what(delivered):
    review = reviews.start_review(delivered["plan"], "2022-23")
    review.assessment_period = "last year"
    with pytest.raises(ValidationError) as refused:
        reviews.save_review(review)
    assert "Assessment period" in refused.value.message_dict["assessment_period"][0]


def test_manager_starts_a_review_on_the_page(manager_client, delivered):
    slug = delivered["plan"].partnership.slug
    answer = manager_client.post(reverse("delivery:review-start", kwargs={"slug": slug}), {"financial_year": "2022-23"})
    review = AnnualReview.objects.get()
    assert answer.status_code == 302 and answer["Location"] == review.get_absolute_url()
    page = manager_client.get(review.get_absolute_url()).content.decode()
    assert "stays in force" in page
