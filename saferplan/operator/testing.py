"""The operator's pages in the permission test (tests/partnership/test_permissions.py): "operator"
means 200 for a site operator and 404 for everyone else, members of every role included."""
from __future__ import annotations

ACCESS = {
    "operator:partnerships": "operator",
    "operator:partnership-new": "operator",
    "operator:partnership-new-details": "operator",  # an operator with no area chosen yet is sent to step 1
    "operator:partnership": "operator",
    "operator:invite-manager": "operator",
    "operator:suspend": "operator",
    "operator:reactivate": "operator",
}


def make_operator(email="operator@site.example"):
    from saferplan.partnership.models import User
    from saferplan.partnership.testing import PASSWORD

    return User.objects.create_user(email, PASSWORD, full_name="Site Operator", is_operator=True)


def url_kwargs(world) -> dict[str, dict]:
    slug = {"slug": world["here"].slug}
    return {name: slug for name in ("operator:partnership", "operator:invite-manager", "operator:suspend",
                                    "operator:reactivate")}
