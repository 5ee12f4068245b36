"""No page answers a mangled query string with a server error: an id or number that is not one is
a 404 (or ignored), never a 500. Walks every URL of every app, signed in as a manager."""
from __future__ import annotations

import pytest

from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import sign_in_verified

from .test_permissions import ACCESS, build_world

# Every name a view reads from the query string (see ``request.GET`` across the apps), with values
# that are not what it expects: words, a year past 9999, and an id too big for any column.
NAMES = ("theme", "issue", "kind", "status", "section", "page", "row", "col", "event", "period", "publish",
         "suggestion", "uncoded", "change", "end", "months")
JUNK = ("abc", "99999999999", "99999999999-01:99999999999-12", "0001-01:0001-12", "9999-01:9999-12", "-1", "1e9")
# Rendering documents is slow and reads no query string.
SLOW = {"planning:document", "planning:plan-on-a-page", "planning:eia-document", "public-plan:plan-document",
        "public-plan:plan-on-a-page"}


@pytest.mark.django_db
def test_no_page_fails_on_a_mangled_query_string(client):
    world = build_world()
    sign_in_verified(client, world["users"][RoleKind.MANAGER])
    failures = []
    for name, rule in sorted(ACCESS.items()):
        if name in SLOW or rule in ("post-only", "post-only-partnership", "special") or name == "sign-out":
            continue
        url = world["url"](name)
        for junk in JUNK:
            query = "&".join(f"{n}={junk}" for n in NAMES)
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"{name} ?…={junk}: {response.status_code}")
    assert not failures, failures


@pytest.mark.django_db
def test_theme_coding_filter_with_a_word_for_an_id_is_not_found(client):
    from saferplan.consultation.models import Question, QuestionType
    from saferplan.consultation.testing import make_survey
    from saferplan.partnership.testing import make_member, make_partnership
    from django.urls import reverse

    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, manager)
    survey = make_survey(partnership)
    question = Question.objects.filter(survey=survey, type=QuestionType.TEXT).first()
    url = reverse("consultation:theme-coding", kwargs={"slug": partnership.slug, "pk": question.pk})
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?theme=abc").status_code == 404
