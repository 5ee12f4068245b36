from django.urls import path

from . import public

app_name = "public-plan"

# The published plan and "You said, we did", open to everyone, under /published/.
urlpatterns = [
    path("", public.index, name="index"),
    path("<slug:partnership>/", public.plan, name="plan"),
    path("<slug:partnership>/you-said-we-did/", public.you_said, name="you-said-we-did"),
    path("<slug:partnership>/plan.<str:fmt>", public.plan_document, name="plan-document"),
    path("<slug:partnership>/plan-on-a-page.pdf", public.plan_on_a_page, name="plan-on-a-page"),
]
