"""The benchmarks' URLs: Saferplan's own, plus a bare view returning a constant, the baseline the
public form is compared with on the same stack in the same run. Only the bench settings name this
module; production URLs never contain the bare view."""
from django.http import HttpResponse
from django.urls import path

from saferplan.urls import handler403, handler404, handler500, urlpatterns as saferplan_urls  # noqa: F401


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/constant/", constant, name="bench-constant"), *saferplan_urls]
