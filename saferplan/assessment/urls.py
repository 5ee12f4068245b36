from django.urls import path  # noqa: F401

app_name = "assessment"

# Pages under /p/<partnership slug>/assessment/.
urlpatterns = []
