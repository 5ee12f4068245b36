"""Welsh on the public pages of partnerships that offer it (docs/adr/0023-welsh-public-pages.md).

Only residents' pages change language: staff pages have no LocaleMiddleware and stay English.
The resident's choice is kept in the session (``?lang=cy`` on any public page sets it, then the
page is shown again at its own address); a partnership that does not offer Welsh is always shown
in English. The language is active only while the page is built (``translation.override``), so
nothing of it is left on the thread for the next request.

What staff wrote in Welsh (``*_cy`` fields) replaces the English on the copies a page shows; an
empty Welsh field shows the English, which is what a resident would otherwise see. Answers are
recorded by option id, so the language never reaches the analysis.
"""
from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

WELSH = "cy"
ENGLISH = "en"
SESSION_KEY = "public_language"
CHOICES = {ENGLISH: "English", WELSH: "Cymraeg"}

# Product text staff do not type: the options the service makes itself. Marked so they are in the
# catalogue and shown in Welsh when staff entered no Welsh label.
PRODUCT_LABELS = [gettext_noop("Yes"), gettext_noop("No"), gettext_noop("Other")]


def language_of(request, partnership) -> str:
    """The language this resident reads this partnership's public pages in."""
    if partnership is None or not partnership.offers_welsh:
        return ENGLISH
    return WELSH if request.session.get(SESSION_KEY) == WELSH else ENGLISH


def switch_requested(request, partnership) -> HttpResponseRedirect | None:
    """``?lang=`` on a public page: remember the choice and show the same page at its own address
    (a plain link, so it works without JavaScript and can be bookmarked in either language)."""
    wanted = request.GET.get("lang")
    if wanted is None or request.method != "GET":
        return None
    if wanted in CHOICES and partnership is not None and partnership.offers_welsh:
        request.session[SESSION_KEY] = wanted
    rest = request.GET.copy()
    rest.pop("lang")
    return HttpResponseRedirect(request.path + (f"?{rest.urlencode()}" if rest else ""))


def respond(request, partnership, build):
    """Build the page in the resident's language; ``build()`` returns the response."""
    redirect = switch_requested(request, partnership)
    if redirect is not None:
        return redirect
    language = language_of(request, partnership)
    with translation.override(language):
        response = build()
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    if partnership is not None and partnership.offers_welsh:
        response.headers["Content-Language"] = language
    return response


def switch_links(request, partnership) -> list[dict]:
    """The language switch: the current language as text, the other as a link to this page."""
    if partnership is None or not partnership.offers_welsh:
        return []
    current = translation.get_language()
    current = WELSH if current == WELSH else ENGLISH
    query = request.GET.copy()
    links = []
    for code, name in CHOICES.items():
        query["lang"] = code
        links.append({"code": code, "name": name, "current": code == current,
                      "href": f"{request.path}?{query.urlencode()}"})
    return links


def survey_in(survey, language: str):
    """The survey with what staff wrote in Welsh in place of the English, for showing only."""
    if language != WELSH:
        return survey
    for name in ("title", "purpose", "can_influence", "cannot_influence", "how_results_used", "contact"):
        welsh = getattr(survey, f"{name}_cy", "")
        if welsh.strip():
            setattr(survey, name, welsh)
    return survey


def questions_in(questions, language: str):
    """Questions (fresh copies, not shared ones) with their sections and options in Welsh."""
    if language != WELSH:
        return questions
    with translation.override(WELSH):
        for q in questions:
            q.text = q.text_cy.strip() or q.text
            q.hint = q.hint_cy.strip() or q.hint
            section = q.section
            section.title = section.title_cy.strip() or section.title
            section.introduction = section.introduction_cy.strip() or section.introduction
            for option in q.options.all():
                option.label = option.label_cy.strip() or gettext(option.label)
    return questions
