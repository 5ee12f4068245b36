from django.urls import path

from .views import api_tokens, funding, jag, kpis, reports, returns, reviews, risks, scrutiny

app_name = "delivery"

# Pages under /p/<partnership slug>/delivery/.
urlpatterns = [
    path("", returns.Overview.as_view(), name="index"),
    path("actions/", returns.Actions.as_view(), name="actions"),
    path("sub-groups/<int:pk>/", returns.SubGroupActions.as_view(), name="sub-group"),
    # Quarterly returns
    path("returns/", returns.Rounds.as_view(), name="rounds"),
    path("returns/open/", returns.RoundOpen.as_view(), name="round-open"),
    path("returns/<str:quarter>/", returns.RoundDetail.as_view(), name="round"),
    path("returns/<str:quarter>/remind/", returns.RoundRemind.as_view(), name="round-remind"),
    path("returns/<str:quarter>/actions/<int:action>/", returns.ReturnSubmit.as_view(), name="return-submit"),
    path("return/<int:pk>/", returns.ReturnDetail.as_view(), name="return"),
    # KPIs against target
    path("kpis/", kpis.KPIs.as_view(), name="kpis"),
    path("kpis/<int:pk>/", kpis.KPIDetail.as_view(), name="kpi"),
    # Risk register
    path("risks/", risks.Register.as_view(), name="risks"),
    path("risks/matrix/", risks.MatrixChoose.as_view(), name="matrix"),
    path("risks/add/", risks.RiskAdd.as_view(), name="risk-add"),
    path("risks/<int:pk>/", risks.RiskDetail.as_view(), name="risk"),
    path("risks/<int:pk>/edit/", risks.RiskEdit.as_view(), name="risk-edit"),
    path("risks/<int:pk>/review/", risks.RiskReview.as_view(), name="risk-review"),
    # Funding
    path("funding/", funding.Funding.as_view(), name="funding"),
    path("funding/add/", funding.StreamAdd.as_view(), name="stream-add"),
    path("funding/<int:pk>/", funding.StreamDetail.as_view(), name="stream"),
    path("funding/<int:pk>/edit/", funding.StreamEdit.as_view(), name="stream-edit"),
    path("funding/<int:pk>/remove/", funding.StreamRemove.as_view(), name="stream-remove"),
    path("funding/<int:stream>/allocate/", funding.AllocationAdd.as_view(), name="allocation-add"),
    path("funding/<int:stream>/allocations/<int:pk>/remove/", funding.AllocationRemove.as_view(),
         name="allocation-remove"),
    path("funding/<int:stream>/claims/add/", funding.ClaimAdd.as_view(), name="claim-add"),
    # JAG tasking
    path("jag/", jag.Problems.as_view(), name="jag"),
    path("jag/add/", jag.ProblemAdd.as_view(), name="jag-add"),
    path("jag/<int:pk>/", jag.ProblemDetail.as_view(), name="jag-problem"),
    path("jag/<int:pk>/edit/", jag.ProblemEdit.as_view(), name="jag-edit"),
    # Annual review of the plan
    path("reviews/", reviews.Reviews.as_view(), name="reviews"),
    path("reviews/start/", reviews.ReviewStart.as_view(), name="review-start"),
    path("reviews/<int:pk>/", reviews.ReviewDetail.as_view(), name="review"),
    path("reviews/<int:pk>/edit/", reviews.ReviewEdit.as_view(), name="review-edit"),
    path("reviews/<int:pk>/review.<str:fmt>", reviews.ReviewDocument.as_view(), name="review-document"),
    # The annual report to the Crime and Disorder scrutiny committee
    path("scrutiny/<str:year>/", scrutiny.ScrutinyPage.as_view(), name="scrutiny"),
    path("scrutiny/<str:year>/edit/", scrutiny.ScrutinyEdit.as_view(), name="scrutiny-edit"),
    path("scrutiny/<str:year>/report.<str:fmt>", scrutiny.ScrutinyDocument.as_view(), name="scrutiny-report"),
    # Read API tokens
    path("api-tokens/", api_tokens.ApiTokens.as_view(), name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", api_tokens.ApiTokenRevoke.as_view(), name="api-token-revoke"),
    # The board's report
    path("report/<str:quarter>.<str:fmt>", reports.BoardReport.as_view(), name="report"),
]
