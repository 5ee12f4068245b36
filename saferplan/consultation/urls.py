from django.urls import path

from . import views

app_name = "consultation"

# Pages under /p/<partnership slug>/consultation/.
urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("surveys/add/", views.SurveyAdd.as_view(), name="survey-add"),
    path("surveys/<int:pk>/", views.SurveyDetail.as_view(), name="survey"),
    path("surveys/<int:pk>/edit/", views.SurveyEdit.as_view(), name="survey-edit"),
    path("surveys/<int:pk>/copy/", views.SurveyCopy.as_view(), name="survey-copy"),
    path("surveys/<int:pk>/templates/", views.TemplateAdd.as_view(), name="template-add"),
    path("surveys/<int:pk>/sections/add/", views.SectionAdd.as_view(), name="section-add"),
    path("sections/<int:pk>/edit/", views.SectionEdit.as_view(), name="section-edit"),
    path("surveys/<int:pk>/questions/add/", views.QuestionAdd.as_view(), name="question-add"),
    path("questions/<int:pk>/edit/", views.QuestionEdit.as_view(), name="question-edit"),
    path("questions/<int:pk>/remove/", views.QuestionRemove.as_view(), name="question-remove"),
    path("surveys/<int:pk>/drop-in/", views.Kiosk.as_view(), name="kiosk"),
    path("surveys/<int:pk>/paper/", views.PaperEntry.as_view(), name="paper"),
    path("surveys/<int:pk>/responses/", views.Responses.as_view(), name="responses"),
    path("responses/<int:pk>/", views.ResponseDetail.as_view(), name="response"),
    path("surveys/<int:pk>/events/", views.Events.as_view(), name="events"),
    path("surveys/<int:pk>/events/add/", views.EventAdd.as_view(), name="event-add"),
    path("events/<int:pk>/edit/", views.EventEdit.as_view(), name="event-edit"),
    path("surveys/<int:pk>/representations/", views.Representations.as_view(), name="representations"),
    path("surveys/<int:pk>/representations/add/", views.RepresentationAdd.as_view(), name="representation-add"),
    path("representations/<int:pk>/", views.RepresentationDetail.as_view(), name="representation"),
    path("representations/<int:pk>/attachment/", views.RepresentationAttachment.as_view(), name="representation-attachment"),
    path("surveys/<int:pk>/petitions/", views.Petitions.as_view(), name="petitions"),
    path("surveys/<int:pk>/petitions/add/", views.PetitionAdd.as_view(), name="petition-add"),
    path("surveys/<int:pk>/analysis/", views.Analysis.as_view(), name="analysis"),
    path("surveys/<int:pk>/themes/", views.Themes.as_view(), name="themes"),
    path("questions/<int:pk>/themes/", views.ThemeCoding.as_view(), name="theme-coding"),
    path("surveys/<int:pk>/import/", views.Import.as_view(), name="import"),
    path("imports/<int:pk>/", views.ImportMap.as_view(), name="import-map"),
    path("imports/<int:pk>/status/", views.ImportStatus.as_view(), name="import-status"),
    path("surveys/<int:pk>/report.<str:fmt>", views.Report.as_view(), name="report"),
    path("surveys/<int:pk>/responses.<str:fmt>", views.Export.as_view(), name="export"),
    path("surveys/<int:pk>/retention/", views.Retention.as_view(), name="retention"),
    path("surveys/<int:pk>/personal-data/", views.Redactions.as_view(), name="redactions"),
]
