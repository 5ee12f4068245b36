from django.urls import path

from . import views

app_name = "planning"

# Pages under /p/<partnership slug>/plan/.
urlpatterns = [
    path("", views.PlanOverview.as_view(), name="index"),
    path("start/", views.PlanStart.as_view(), name="plan-start"),
    path("edit/", views.PlanEdit.as_view(), name="plan-edit"),
    path("publish/", views.PlanPublish.as_view(), name="publish"),
    path("revise/", views.PlanRevise.as_view(), name="plan-revise"),
    path("history/", views.PlanHistory.as_view(), name="history"),
    path("document.<str:fmt>", views.PlanDocument.as_view(), name="document"),
    path("plan-on-a-page.pdf", views.PlanOnAPage.as_view(), name="plan-on-a-page"),
    # Themes, priorities, actions and KPIs
    path("themes/add/", views.ThemeForm_.as_view(), name="theme-add"),
    path("themes/<int:pk>/edit/", views.ThemeForm_.as_view(), name="theme-edit"),
    path("themes/<int:pk>/remove/", views.ThemeRemove.as_view(), name="theme-remove"),
    path("priorities/add/", views.PriorityForm_.as_view(), name="priority-add"),
    path("priorities/<int:pk>/", views.PriorityDetail.as_view(), name="priority"),
    path("priorities/<int:pk>/edit/", views.PriorityForm_.as_view(), name="priority-edit"),
    path("priorities/<int:pk>/remove/", views.PriorityRemove.as_view(), name="priority-remove"),
    path("priorities/<int:pk>/evidence/", views.PriorityEvidence.as_view(), name="priority-evidence"),
    path("evidence/<int:pk>/remove/", views.EvidenceRemove.as_view(), name="evidence-remove"),
    path("priorities/<int:priority>/actions/add/", views.ActionForm_.as_view(), name="action-add"),
    path("actions/<int:pk>/", views.ActionDetail.as_view(), name="action"),
    path("actions/<int:pk>/edit/", views.ActionForm_.as_view(), name="action-edit"),
    path("actions/<int:pk>/remove/", views.ActionRemove.as_view(), name="action-remove"),
    path("actions/<int:action>/kpis/add/", views.KPIForm_.as_view(), name="kpi-add"),
    path("kpis/<int:pk>/", views.KPIDetail.as_view(), name="kpi"),
    path("kpis/<int:pk>/edit/", views.KPIForm_.as_view(), name="kpi-edit"),
    path("kpis/<int:pk>/remove/", views.KPIRemove.as_view(), name="kpi-remove"),
    path("kpis/<int:pk>/values/add/", views.KPIValueAdd.as_view(), name="kpi-value-add"),
    path("kpis/<int:pk>/refresh/", views.KPIRefresh.as_view(), name="kpi-refresh"),
    # Prioritisation
    path("prioritisation/", views.Prioritisation.as_view(), name="prioritisation"),
    path("prioritisation/weights/", views.Weights.as_view(), name="weights"),
    path("prioritisation/refresh/", views.RefreshIssues.as_view(), name="issues-refresh"),
    path("issues/add/", views.IssueForm_.as_view(), name="issue-add"),
    path("issues/<int:pk>/", views.IssueDetail.as_view(), name="issue"),
    path("issues/<int:pk>/edit/", views.IssueForm_.as_view(), name="issue-edit"),
    path("issues/<int:pk>/judgement/", views.IssueJudgement.as_view(), name="issue-judgement"),
    path("issues/<int:pk>/evidence/", views.IssueEvidence.as_view(), name="issue-evidence"),
    path("issues/<int:pk>/remove/", views.IssueRemove.as_view(), name="issue-remove"),
    # Workshops
    path("workshops/", views.Workshops.as_view(), name="workshops"),
    path("workshops/add/", views.WorkshopForm_.as_view(), name="workshop-add"),
    path("workshops/members-survey/", views.MembersSurvey.as_view(), name="members-survey"),
    path("workshops/<int:pk>/", views.WorkshopDetail.as_view(), name="workshop"),
    path("workshops/<int:pk>/edit/", views.WorkshopForm_.as_view(), name="workshop-edit"),
    path("workshops/<int:pk>/remove/", views.WorkshopRemove.as_view(), name="workshop-remove"),
    path("workshops/<int:workshop>/points/add/", views.PointForm_.as_view(), name="point-add"),
    path("points/<int:pk>/edit/", views.PointForm_.as_view(), name="point-edit"),
    path("points/<int:pk>/remove/", views.PointRemove.as_view(), name="point-remove"),
    # Approval and versions
    path("approval/", views.Approval.as_view(), name="approval"),
    path("approval/record/", views.ApprovalRecord.as_view(), name="approval-record"),
    path("approval/send/", views.ApprovalSend.as_view(), name="approval-send"),
    path("approval/comments/", views.Comments.as_view(), name="comments"),
    path("versions/keep/", views.VersionSave.as_view(), name="version-save"),
    path("versions/compare/", views.Compare.as_view(), name="compare"),
    path("versions/<int:pk>/", views.VersionDetail.as_view(), name="version"),
    # Equality impact assessment
    path("equality/", views.EIAOverview.as_view(), name="eia"),
    path("equality/edit/", views.EIAEdit.as_view(), name="eia-edit"),
    path("equality/document.<str:fmt>", views.EIADocument.as_view(), name="eia-document"),
    path("equality/actions/add/", views.EIAActionForm_.as_view(), name="eia-action-add"),
    path("equality/actions/<int:pk>/edit/", views.EIAActionForm_.as_view(), name="eia-action-edit"),
    path("equality/actions/<int:pk>/remove/", views.EIAActionRemove.as_view(), name="eia-action-remove"),
    path("equality/<str:characteristic>/", views.EIARowEdit.as_view(), name="eia-row"),
    # You said, we did
    path("you-said-we-did/", views.YouSaid.as_view(), name="you-said"),
    path("you-said-we-did/add/", views.YouSaidForm_.as_view(), name="you-said-add"),
    path("you-said-we-did/draft/", views.YouSaidSuggest.as_view(), name="you-said-suggest"),
    path("you-said-we-did/<int:pk>/edit/", views.YouSaidForm_.as_view(), name="you-said-edit"),
    path("you-said-we-did/<int:pk>/remove/", views.YouSaidRemove.as_view(), name="you-said-remove"),
]
