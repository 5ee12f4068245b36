"""Every URL, requested as every kind of visitor, answers as the permission table says.

The table must name every URL the project has: a new URL without an entry fails this test, so
nobody can add a page without deciding who may see it.
"""
from __future__ import annotations

import html
import importlib
import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from saferplan.partnership.factories import SubGroupFactory
from saferplan.partnership.models import Organisation, RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

ROLES = list(RoleKind)
M, A, P, B, S = (RoleKind.MANAGER, RoleKind.ANALYST, RoleKind.PARTNER_OFFICER, RoleKind.BOARD_MEMBER, RoleKind.SCRUTINY_MEMBER)

# Each app lists its URLs' rules in its ``testing.py`` (ACCESS) and how to fill their arguments
# (``url_kwargs(world)``); rules are a set of roles that get 200 on GET, or one of:
# "public" (anyone, signed out too), "signed-in" (any user), "special" (tested on its own),
# "post-only" / "post-only-partnership" (GET refused with 405; the latter also 404 to outsiders),
# "operator" (200 for a site operator, 404 for everyone else).
# "api-token" (the read API: refused without a partnership's token, whoever is signed in).
# Every page under /p/<slug>/ is refused to outsiders with 404 and to anonymous visitors with a
# redirect to sign in. The site operator, who holds no role in either partnership, is an
# outsider to every partnership page.
APPS = ["saferplan.partnership", "saferplan.assessment", "saferplan.consultation", "saferplan.planning",
        "saferplan.delivery", "saferplan.operator"]


def _app_testing():
    for app in APPS:
        try:
            yield importlib.import_module(f"{app}.testing")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.testing":
                raise


ACCESS = {name: rule for module in _app_testing() for name, rule in getattr(module, "ACCESS", {}).items()}


def _names(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


@pytest.fixture
def world(db):
    return build_world()


def build_world():
    """Two partnerships, a member in every role of the first, a manager of the second, and the
    objects each app needs for its URLs; ``world["url"](name)`` gives any URL's address in it."""
    here = make_partnership()
    elsewhere = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    users = {kind: make_member(here, kind) for kind in ROLES}
    outsider = make_member(elsewhere, M)
    from saferplan.operator.testing import make_operator

    operator = make_operator()
    group = SubGroupFactory(partnership=here, name="Joint Action Group", theme="Place")
    world = {"here": here, "elsewhere": elsewhere, "users": users, "outsider": outsider, "group": group,
             "operator": operator}
    kwargs = {}
    for module in _app_testing():
        if hasattr(module, "url_kwargs"):
            kwargs.update(module.url_kwargs(world))

    def url(name):
        extra = dict(kwargs.get(name, {}))
        try:
            return reverse(name, kwargs={"slug": here.slug, **extra})
        except NoReverseMatch:
            return reverse(name, kwargs=extra)

    world["url"] = url
    return world


def test_every_url_is_in_the_table():
    assert set(_names(get_resolver())) == set(ACCESS)


def _get(client, user, path):
    client.logout()
    if user is not None:
        sign_in_verified(client, user)
    return client.get(path)


def _check(client, world, name) -> list[str]:
    """What is wrong with the answers for one URL (nothing, if it follows its rule)."""
    rule = ACCESS[name]
    path = world["url"](name)
    problems = []

    def expect(condition, what):
        if not condition:
            problems.append(f"{name} ({path}): {what}")

    anonymous = _get(client, None, path)
    if rule == "public":
        allowed = (200, 302) if name in ("sign-in-code", "password_reset_confirm") else (200,)
        expect(anonymous.status_code in allowed, f"anonymous got {anonymous.status_code}")
        return problems
    if rule in ("post-only", "post-only-partnership"):
        status = _get(client, world["users"][M], path).status_code
        expect(status == 405, f"GET by a manager got {status}, not 405")
        if rule == "post-only-partnership":
            expect(_get(client, world["outsider"], path).status_code == 404, "an outsider was not told 404")
            expect(_get(client, world["operator"], path).status_code == 404, "the operator was not told 404")
            expect(anonymous.status_code == 302, f"anonymous got {anonymous.status_code}")
        return problems
    if rule == "api-token":
        # The read API answers a partnership's token, never a session: without a token, 401 (its
        # root, which only names the API's address, is not found).
        expected = 404 if name == "api:api-root" else 401
        expect(anonymous.status_code == expected, f"anonymous got {anonymous.status_code}")
        status = _get(client, world["users"][M], path).status_code
        expect(status == expected, f"a signed-in manager without a token got {status}")
        return problems
    if rule == "special":
        # Home is the public start page for anyone not signed in, and sends a member of one
        # partnership straight to it.
        expect(anonymous.status_code == 200, f"anonymous got {anonymous.status_code}")
        response = _get(client, world["users"][S], path)
        expect(response.status_code == 302 and response["Location"] == world["here"].get_absolute_url(), "not sent to the partnership")
        response = _get(client, world["operator"], path)
        expect(response.status_code == 302 and response["Location"] == reverse("operator:partnerships"),
               "the operator was not sent to the operator's pages")
        return problems
    # Everything else needs a signed-in user.
    expect(anonymous.status_code == 302 and "/sign-in/" in anonymous.get("Location", ""), "anonymous was not sent to sign in")
    if rule == "operator":
        for user in [*world["users"].values(), world["outsider"]]:
            status = _get(client, user, path).status_code
            expect(status == 404, f"{user} (not an operator) got {status}")
        response = _get(client, world["operator"], path)
        if name == "operator:partnership-new-details":  # nothing chosen at step 1 yet
            expect(response.status_code == 302 and response["Location"] == reverse("operator:partnership-new"),
                   "the operator was not sent to step 1")
        else:
            expect(response.status_code == 200, f"the operator got {response.status_code}")
        return problems
    if rule == "signed-in":
        for user in [*world["users"].values(), world["outsider"], world["operator"]]:
            response = _get(client, user, path)
            if name == "two-factor-set-up":
                expect(response.status_code == 302 and response["Location"] == reverse("account"), "not sent to account")
            else:
                expect(response.status_code == 200, f"{user} got {response.status_code}")
        return problems
    for kind, user in world["users"].items():
        status = _get(client, user, path).status_code
        expect(status == (200 if kind in rule else 403), f"{kind} got {status}")
    # A member of another partnership is told nothing exists here, and so is the site operator.
    status = _get(client, world["outsider"], path).status_code
    expect(status == 404, f"a member of another partnership got {status}")
    status = _get(client, world["operator"], path).status_code
    expect(status == 404, f"the site operator (no role here) got {status}")
    return problems


def _group(name: str) -> str:
    return name.split(":")[0] if ":" in name else "site"


# One world per group of URLs (building it is most of the cost); every URL of the group is checked
# and every problem reported together.
@pytest.mark.django_db
@pytest.mark.parametrize("group", sorted({_group(n) for n in ACCESS}))
def test_access(client, world, group):
    problems = []
    for name in sorted(n for n in ACCESS if _group(n) == group):
        problems += _check(client, world, name)
    assert not problems, "\n".join(problems)


HREF = re.compile(r'href="(/[^"#?]*)')
NOT_PAGES = re.compile(r"^/(static|media)/|/sign-out/")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ROLES)
def test_no_page_links_a_member_to_a_page_they_may_not_open(client, world, kind):
    """Every page a role may open, and every link on it followed: none is refused (403), nor a
    page that only takes a form's POST (405). A link a person cannot use is a dead end."""
    sign_in_verified(client, world["users"][kind])
    pages = [world["url"](name) for name, rule in ACCESS.items()
             if isinstance(rule, (set, frozenset)) and kind in rule]
    seen, dead = set(pages), []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link in dict.fromkeys(html.unescape(h) for h in HREF.findall(response.content.decode())):
            if link in seen or NOT_PAGES.search(link):
                continue
            seen.add(link)
            status = client.get(link).status_code
            if status in (403, 405):
                dead.append(f"{page} links to {link}: {status}")
    assert not dead, "\n".join(dead)


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
