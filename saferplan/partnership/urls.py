from django.urls import path

from . import views

app_name = "partnership"

urlpatterns = [
    path("", views.PartnershipHome.as_view(), name="home"),
    path("cycle/<str:stage>/", views.StageView.as_view(), name="stage"),
    path("about/", views.AboutPartnership.as_view(), name="about"),
    path("about/edit/", views.EditPartnership.as_view(), name="edit"),
    path("about/logo/", views.EditLogo.as_view(), name="logo"),
    path("history/", views.AuditHistory.as_view(), name="history"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("organisations/add/", views.OrganisationAdd.as_view(), name="organisation-add"),
    path("organisations/<int:pk>/", views.OrganisationDetail.as_view(), name="organisation"),
    path("organisations/<int:pk>/edit/", views.OrganisationEdit.as_view(), name="organisation-edit"),
    path("organisations/<int:pk>/remove/", views.OrganisationRemove.as_view(), name="organisation-remove"),
    path("people/", views.PersonList.as_view(), name="people"),
    path("people/add/", views.PersonAdd.as_view(), name="person-add"),
    path("people/<int:pk>/", views.PersonDetail.as_view(), name="person"),
    path("people/<int:pk>/edit/", views.PersonEdit.as_view(), name="person-edit"),
    path("people/<int:pk>/remove/", views.PersonRemove.as_view(), name="person-remove"),
    path("people/<int:pk>/roles/add/", views.AddRole.as_view(), name="role-add"),
    path("roles/<int:pk>/remove/", views.RemoveRole.as_view(), name="role-remove"),
    path("sub-groups/", views.SubGroupList.as_view(), name="sub-groups"),
    path("sub-groups/add/", views.SubGroupAdd.as_view(), name="sub-group-add"),
    path("sub-groups/<int:pk>/", views.SubGroupDetail.as_view(), name="sub-group"),
    path("sub-groups/<int:pk>/edit/", views.SubGroupEdit.as_view(), name="sub-group-edit"),
    path("sub-groups/<int:pk>/remove/", views.SubGroupRemove.as_view(), name="sub-group-remove"),
    path("invitations/", views.Invitations.as_view(), name="invitations"),
    path("invitations/<int:pk>/revoke/", views.RevokeInvitation.as_view(), name="invitation-revoke"),
]
