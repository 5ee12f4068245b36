"""The annual review: the list of reviews, starting one (which makes the plan's revision), the
review with what its revision changes, its text, and the document for the PCC."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from saferplan.core.downloads import attachment
from saferplan.core.pages import DetailPage, UpdatePage

from ..forms import AnnualReviewForm, ReviewStartForm
from ..models import AnnualReview
from ..services import reviews
from .base import DeliveryMixin, FormPage, Page, done, url


class Reviews(Page):
    template_name = "delivery/reviews.html"
    nav = "reviews"

    def data(self):
        found = list(reviews.reviews_of(self.partnership))
        for r in found:
            r.status_text = reviews.status_text(r)
        from ..services import scrutiny

        return {"reviews": found, "example": any(r.example for r in found),
                "scrutiny_year": scrutiny.default_year(self.partnership)}


class ReviewStart(FormPage):
    capability = "change_annual_review"
    nav = "reviews"
    heading = "Start the annual review"
    button = "Start the review"

    def make_form(self, data=None):
        plan = self.require_plan()
        done_years = set(reviews.reviews_of(self.partnership).filter(plan=plan).values_list("financial_year", flat=True))
        return ReviewStartForm(data, years=[y for y in reviews.year_choices(plan) if y not in done_years])

    def page(self):
        return {"back_url": url("reviews", self.partnership),
                "intro": "Starting the review makes a revision of the adopted plan: a new draft version in which "
                         "priorities, actions and KPIs are changed, and which goes to the board and through the "
                         "approval route again. The adopted plan stays in force, and is what the public sees, until "
                         "the revision is adopted."}

    def act(self, form):
        review = reviews.start_review(self.plan, form.cleaned_data["financial_year"], self.request.user)
        done(self.request, f"The review of {review.financial_year} has started, with a revision of the plan.")
        return review.get_absolute_url()


class ReviewDetail(DeliveryMixin, DetailPage):
    model = AnnualReview
    noun = "annual review"
    context_object_name = "review"
    template_name = "delivery/review.html"

    def list_url(self):
        return url("reviews", self.partnership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(changes=reviews.changes(self.object), status_text=reviews.status_text(self.object),
                       year=reviews.year_in_delivery(self.object), nav_current="reviews")
        return context


class ReviewEdit(DeliveryMixin, UpdatePage):
    model = AnnualReview
    noun = "annual review"
    form_class = AnnualReviewForm
    capability = "change_annual_review"
    template_name = "core/form.html"

    def list_url(self):
        return url("reviews", self.partnership)

    def save(self, form):
        return reviews.save_review(form.save(commit=False))


class ReviewDocument(DeliveryMixin, View):
    def get(self, request, slug, pk, fmt):
        if fmt not in ("pdf", "docx"):
            raise Http404("No such format")
        review = get_object_or_404(AnnualReview, partnership=self.partnership, pk=pk)
        content = reviews.review_file(review, fmt)
        return attachment(content, f"{slugify(self.partnership.name)}-annual-review-{review.financial_year}.{fmt}")
