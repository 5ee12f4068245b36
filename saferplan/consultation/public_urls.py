from django.urls import path

from . import public

app_name = "public-consultation"

# The public side of a consultation (residents answering a survey), under /consult/.
urlpatterns = [
    path("", public.consultations, name="index"),
    path("<slug:partnership>/", public.PartnershipConsultations.as_view(), name="partnership"),
    path("<slug:partnership>/privacy/", public.privacy, name="privacy"),
    path("<slug:partnership>/<slug:survey>/", public.Landing.as_view(), name="survey"),
    path("<slug:partnership>/<slug:survey>/questions/<slug:code>/", public.QuestionPage.as_view(), name="question"),
    path("<slug:partnership>/<slug:survey>/check-your-answers/", public.CheckAnswers.as_view(), name="check"),
    path("<slug:partnership>/<slug:survey>/equality/", public.EqualityStart.as_view(), name="equality"),
    path("<slug:partnership>/<slug:survey>/equality/questions/", public.EqualityQuestions.as_view(), name="equality-questions"),
    path("<slug:partnership>/<slug:survey>/sent/", public.Done.as_view(), name="done"),
    path("<slug:partnership>/<slug:survey>/start-again/", public.start_again, name="start-again"),
]
