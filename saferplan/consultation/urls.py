from django.urls import path  # noqa: F401

app_name = "consultation"

# Pages under /p/<partnership slug>/consultation/.
urlpatterns = []
