"""Site-wide pages that belong to no stage: errors in the service's own style."""
from django.shortcuts import render
from django.template.loader import get_template
from django.http import HttpResponseServerError


def forbidden(request, exception=None):
    from django.conf import settings

    from saferplan.partnership.permissions import PartnershipSuspended

    if isinstance(exception, PartnershipSuspended):
        return render(request, "errors/suspended.html", {
            "suspended": exception.partnership, "operator_contact": settings.OPERATOR_CONTACT}, status=403)
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No request context: the failure may be in whatever builds it.
    return HttpResponseServerError(get_template("errors/500.html").render({"request": None}))


def home(request):
    """The site's front door: residents get the public start page, staff their partnership.

    Here rather than in either app, so that neither stage imports the other's views."""
    from saferplan.consultation.public import start
    from saferplan.partnership.views import staff_home

    return staff_home(request) if request.user.is_authenticated else start(request)


def partnership_logo(request, slug):
    """A partnership's logo, for the header of its pages: public, as its public pages are."""
    from django.http import Http404, HttpResponse

    from saferplan.partnership.branding import logo_image

    found = logo_image(slug)
    if found is None:
        raise Http404("No logo")
    response = HttpResponse(found[0], content_type=found[1])
    response["Cache-Control"] = "public, max-age=300"
    return response
