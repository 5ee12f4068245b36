"""Every page reads well: "1 event" not "1 events", and dates like "30 November 2026", never ISO.

Walks every page of every app in the permission test's world (which holds one of most things, so
the singular forms show), as a manager and, for public pages, signed out."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from saferplan import wording
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import sign_in_verified

from .test_permissions import ACCESS, build_world

ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
# "1" then a plural noun: the words a count is followed by in this project’s pages ("0 of 1
# respondents" is a fraction, and reads as one).
NOUNS = ("events|days|responses|respondents|answers|rows|records|people|actions|priorities|findings|themes|weeks|"
         "months|organisations|members|points|workshops|questions|surveys|issues|signatures|participants|comments|"
         "versions|steps|imports|offences|minutes|areas|concerns|KPIs|files|characters|sessions|persons")
ONE_PLURAL = re.compile(rf"(?<![\d.,£])(?<!of )\b1 ({NOUNS})\b")
SKIP = {"planning:document", "planning:plan-on-a-page", "planning:eia-document", "public-plan:plan-document",
        "public-plan:plan-on-a-page"}


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_counted_and_uk_date():
    assert wording.counted(1, "event") == "1 event"
    assert wording.counted(740, "response") == "740 responses"
    assert wording.counted(1234, "record") == "1,234 records"
    assert wording.counted(1, "person", "people") == "1 person" and wording.counted(3, "person", "people") == "3 people"
    assert wording.uk_date("2026-11-30") == "30 November 2026"
    from datetime import date

    assert wording.uk_date(date(2025, 4, 1)) == "1 April 2025"


@pytest.mark.django_db
def test_no_page_says_1_of_a_plural_or_shows_an_iso_date(client):
    world = build_world()
    sign_in_verified(client, world["users"][RoleKind.MANAGER])
    problems = []
    for name, rule in sorted(ACCESS.items()):
        if name in SKIP or rule in ("post-only", "post-only-partnership", "special") or name == "sign-out":
            continue
        response = client.get(world["url"](name))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        for match in ISO_DATE.finditer(text):
            problems.append(f"{name}: ISO date {match.group()!r} in “…{text[max(0, match.start() - 40):match.end() + 10]}…”")
        for match in ONE_PLURAL.finditer(text):
            problems.append(f"{name}: “…{text[max(0, match.start() - 40):match.end() + 10]}…”")
    assert not problems, "\n".join(problems)
