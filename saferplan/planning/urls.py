from django.urls import path  # noqa: F401

app_name = "planning"

# Pages under /p/<partnership slug>/plan/.
urlpatterns = []
