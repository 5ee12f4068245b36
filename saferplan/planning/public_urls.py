from django.urls import path  # noqa: F401

app_name = "public-plan"

# The published plan and "You said, we did", open to everyone, under /published/.
urlpatterns = []
