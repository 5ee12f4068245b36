"""Cache-Control: no-store on everything that can hold personal data or answers in progress, so
no shared cache or browser disk cache keeps a copy (item 12)."""
from __future__ import annotations

import pytest

from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import sign_in_verified
from tests.partnership.test_permissions import ACCESS, build_world

pytestmark = pytest.mark.django_db


def _manager_may_get(rule) -> bool:
    return rule in ("public", "signed-in") or (isinstance(rule, (set, frozenset)) and RoleKind.MANAGER in rule)


@pytest.fixture
def world(db):
    return build_world()


def test_every_response_to_a_signed_in_user_is_not_stored(client, world):
    sign_in_verified(client, world["users"][RoleKind.MANAGER])
    stored, seen = [], 0
    for name in sorted(n for n, rule in ACCESS.items() if _manager_may_get(rule)):
        path = world["url"](name)
        response = client.get(path)
        seen += 1
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append(f"{name} {path} ({response.status_code}): {response.get('Cache-Control')!r}")
    assert seen > 60
    assert not stored, "\n".join(stored)


def test_public_forms_and_downloads_are_not_stored_but_public_pages_may_be(client, world):
    public = {name: world["url"](name) for name, rule in ACCESS.items() if rule == "public"}
    downloads, forms, plain = [], [], []
    for name, path in sorted(public.items()):
        client.cookies.clear()  # a first visit: no session, no CSRF cookie
        response = client.get(path)
        if response.status_code != 200:
            continue
        cache = response.get("Cache-Control", "")
        if response.get("Content-Disposition", "").startswith("attachment"):
            downloads.append((name, cache))
        elif b"<form" in response.content and b'method="post"' in response.content:
            forms.append((name, cache))
        else:
            plain.append((name, cache))
    assert downloads and forms and plain, (downloads, forms, plain)
    assert all("no-store" in cache for _, cache in downloads), downloads
    assert all("no-store" in cache for _, cache in forms), forms
    # The published plan, the same for everyone, is not needlessly kept out of caches.
    assert any("no-store" not in cache for _, cache in plain), plain


def test_a_survey_answered_part_way_is_not_stored(client, world):
    from saferplan.consultation.models import Survey

    survey = Survey.objects.filter(partnership=world["here"], published=True).first()
    start = f"/consult/{world['here'].slug}/{survey.slug}/"
    landing = client.get(start)
    assert landing.status_code == 200 and "no-store" in landing["Cache-Control"]
    question = survey.ordered_questions()[0]
    page = f"{start}questions/{question.code}/"
    answered = client.post(page, {"answer": str(question.options.first().pk)})
    assert answered.status_code == 302 and "no-store" in answered["Cache-Control"]
    again = client.get(page)
    assert again.status_code == 200 and "no-store" in again["Cache-Control"]
    assert 'checked' in again.content.decode()  # the page holds the answer given
