from django.urls import path

from . import views

app_name = "operator"

urlpatterns = [
    path("", views.Partnerships.as_view(), name="partnerships"),
    path("partnerships/new/", views.NewPartnershipArea.as_view(), name="partnership-new"),
    path("partnerships/new/details/", views.NewPartnershipDetails.as_view(), name="partnership-new-details"),
    path("partnerships/<slug:slug>/", views.PartnershipDetail.as_view(), name="partnership"),
    path("partnerships/<slug:slug>/invite-manager/", views.InviteManager.as_view(), name="invite-manager"),
    path("partnerships/<slug:slug>/suspend/", views.ChangeStatus.as_view(action="suspend"), name="suspend"),
    path("partnerships/<slug:slug>/reactivate/", views.ChangeStatus.as_view(action="reactivate"), name="reactivate"),
]
