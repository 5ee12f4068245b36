from django.urls import path  # noqa: F401

app_name = "public-consultation"

# The public side of a consultation (residents answering a survey), under /consult/.
urlpatterns = []
