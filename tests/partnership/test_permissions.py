"""Every URL, requested as every kind of visitor, answers as the permission table says.

The table must name every URL the project has: a new URL without an entry fails this test, so
nobody can add a page without deciding who may see it.
"""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from saferplan.partnership.models import Invitation, Organisation, RoleKind, SubGroup
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

ROLES = list(RoleKind)
M, A, P, B, S = (RoleKind.MANAGER, RoleKind.ANALYST, RoleKind.PARTNER_OFFICER, RoleKind.BOARD_MEMBER, RoleKind.SCRUTINY_MEMBER)
EVERY_ROLE = set(ROLES)

# url name -> roles that get 200 on GET ("public": anyone, even signed out; "signed-in": any user;
# "post-only": GET is refused with 405 for everyone who may use it).
ACCESS = {
    "home": "special",
    "sign-in": "public",
    "sign-in-code": "public",
    "sign-out": "post-only",
    "account": "signed-in",
    "two-factor-set-up": "signed-in",  # with a second factor already: sent to the account page
    "recovery-codes": "post-only",
    "accept-invitation": "public",
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public",
    "password_reset_complete": "public",
    "password_change": "signed-in",
    "password_change_done": "signed-in",
    "accessibility": "public",
    "privacy": "public",
    "cookies": "public",
    "partnership:home": EVERY_ROLE,
    "partnership:stage": EVERY_ROLE,
    "partnership:about": EVERY_ROLE,
    "partnership:edit": {M},
    "partnership:history": {M, A, B},
    "partnership:organisations": EVERY_ROLE,
    "partnership:organisation-add": {M},
    "partnership:organisation": EVERY_ROLE,
    "partnership:organisation-edit": {M, P},  # P acts for this very organisation
    "partnership:organisation-remove": {M},
    "partnership:people": EVERY_ROLE,
    "partnership:person-add": {M},
    "partnership:person": EVERY_ROLE,
    "partnership:person-edit": {M},
    "partnership:person-remove": {M},
    "partnership:role-add": {M},
    "partnership:role-remove": {M},
    "partnership:sub-groups": EVERY_ROLE,
    "partnership:sub-group-add": {M},
    "partnership:sub-group": EVERY_ROLE,
    "partnership:sub-group-edit": {M},
    "partnership:sub-group-remove": {M},
    "partnership:invitations": {M},
    "partnership:invitation-revoke": "post-only-partnership",
}


def _names(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


@pytest.fixture
def world(db):
    here = make_partnership()
    elsewhere = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    users = {kind: make_member(here, kind) for kind in ROLES}
    outsider = make_member(elsewhere, M)
    police = here.organisations.get(kind="police")
    group = SubGroup.objects.create(partnership=here, name="Joint Action Group", theme="Place")
    manager_person = users[M].people.get()
    role = users[B].people.get().roles.get()
    invitation = Invitation(partnership=here, email="new@example.org", full_name="New Person", kind=B)
    token = invitation.issue_token()
    invitation.save()
    kwargs = {
        "partnership:stage": {"stage": "consultation"},
        "partnership:organisation": {"pk": police.pk},
        "partnership:organisation-edit": {"pk": police.pk},
        "partnership:organisation-remove": {"pk": police.pk},
        "partnership:person": {"pk": manager_person.pk},
        "partnership:person-edit": {"pk": manager_person.pk},
        "partnership:person-remove": {"pk": manager_person.pk},
        "partnership:role-add": {"pk": manager_person.pk},
        "partnership:role-remove": {"pk": role.pk},
        "partnership:sub-group": {"pk": group.pk},
        "partnership:sub-group-edit": {"pk": group.pk},
        "partnership:sub-group-remove": {"pk": group.pk},
        "partnership:invitation-revoke": {"pk": invitation.pk},
        "accept-invitation": {"token": token},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    }

    def url(name):
        extra = dict(kwargs.get(name, {}))
        if name.startswith("partnership:"):
            extra["slug"] = here.slug
        return reverse(name, kwargs=extra)

    return {"here": here, "elsewhere": elsewhere, "users": users, "outsider": outsider, "url": url}


def test_every_url_is_in_the_table():
    assert set(_names(get_resolver())) == set(ACCESS)


def _get(client, user, path):
    client.logout()
    if user is not None:
        sign_in_verified(client, user)
    return client.get(path)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access(client, world, name):
    rule = ACCESS[name]
    path = world["url"](name)
    anonymous = _get(client, None, path)
    if rule == "public":
        assert anonymous.status_code in (200, 302), path
        if name not in ("sign-in-code", "password_reset_confirm"):
            assert anonymous.status_code == 200, path
        return
    if rule in ("post-only", "post-only-partnership"):
        if rule == "post-only":
            assert _get(client, world["users"][M], path).status_code == 405
        else:
            assert _get(client, world["users"][M], path).status_code == 405
            assert _get(client, world["outsider"], path).status_code == 404
            assert anonymous.status_code == 302
        return
    # Everything else needs a signed-in user.
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"], path
    if rule == "signed-in":
        for user in [*world["users"].values(), world["outsider"]]:
            response = _get(client, user, path)
            if name == "two-factor-set-up":
                assert response.status_code == 302 and response["Location"] == reverse("account")
            else:
                assert response.status_code == 200, (path, user)
        return
    if rule == "special":
        # Home sends a member of one partnership straight to it.
        response = _get(client, world["users"][S], path)
        assert response.status_code == 302 and response["Location"] == world["here"].get_absolute_url()
        return
    for kind, user in world["users"].items():
        status = _get(client, user, path).status_code
        assert status == (200 if kind in rule else 403), (path, kind, status)
    # A member of another partnership is told nothing exists here.
    assert _get(client, world["outsider"], path).status_code == 404, path


@pytest.mark.django_db
def test_objects_of_another_partnership_are_not_reachable_through_ones_own(client, world):
    """Guessing another partnership's ids under your own partnership's address finds nothing."""
    theirs = Organisation.objects.filter(partnership=world["elsewhere"]).first()
    sign_in_verified(client, world["users"][M])
    for name in ("organisation", "organisation-edit", "organisation-remove"):
        path = reverse(f"partnership:{name}", kwargs={"slug": world["here"].slug, "pk": theirs.pk})
        assert client.get(path).status_code == 404
        if name != "organisation":
            assert client.post(path, {"name": "Taken over", "kind": "police"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Taken over"


@pytest.mark.django_db
def test_partner_officer_cannot_change_an_organisation_they_do_not_act_for(client, world):
    council = world["here"].organisations.get(kind="district_council")
    sign_in_verified(client, world["users"][P])
    path = reverse("partnership:organisation-edit", kwargs={"slug": world["here"].slug, "pk": council.pk})
    assert client.get(path).status_code == 403
    assert client.post(path, {"name": "Renamed", "kind": "police"}).status_code == 403
    council.refresh_from_db()
    assert council.name != "Renamed"


@pytest.mark.django_db
def test_posts_are_refused_to_roles_without_the_capability(client, world):
    path = world["url"]("partnership:organisation-add")
    for kind in (A, B, S, P):
        client.logout()
        sign_in_verified(client, world["users"][kind])
        assert client.post(path, {"name": f"Added by {kind}", "kind": "other"}).status_code == 403
    assert not Organisation.objects.filter(name__startswith="Added by").exists()
