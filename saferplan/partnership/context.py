from __future__ import annotations

from django.urls import NoReverseMatch, reverse

# Stages with pages of their own appear in the navigation once their app provides an "index" URL.
STAGE_NAV = [("Assessment", "assessment:index"), ("Consultation", "consultation:index"), ("Plan", "planning:index"),
             ("Delivery", "delivery:index")]


def _stage_items(slug):
    for text, name in STAGE_NAV:
        try:
            yield text, reverse(name, kwargs={"slug": slug}), True
        except NoReverseMatch:
            continue


def navigation(request):
    """The service navigation: the current partnership (set by PartnershipMixin) and its sections."""
    access = getattr(request, "access", None)
    if access is None:
        return {}
    slug = access.partnership.slug
    path = request.path
    items = [
        ("Plan cycle", reverse("partnership:home", kwargs={"slug": slug}), False),
        *_stage_items(slug),
        ("Partnership", reverse("partnership:about", kwargs={"slug": slug}), True),
    ]
    # The directory (organisations, people, sub-groups, invitations, history) sits under "Partnership".
    base = reverse("partnership:home", kwargs={"slug": slug})
    directory = [base + part for part in ("organisations/", "people/", "sub-groups/", "roles/", "invitations/", "history/")]
    nav_items = [
        {
            "text": text,
            "href": href,
            "current": (path.startswith(href) or (text == "Partnership" and path.startswith(tuple(directory))))
            if prefix
            else path == href,
        }
        for text, href, prefix in items
    ]
    return {"nav_partnership": access.partnership, "nav_items": nav_items, "access": access}
