"""The resident's journey in Jinja2 (docs/adr/0025-jinja2-for-the-resident-journey.md): the same
markup as the Django templates it shares a look with, its words in the Welsh catalogue, and each
template name found by one engine only."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage import default_storage
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.template import TemplateDoesNotExist, engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from saferplan.consultation import definition, languages
from saferplan.consultation.forms import QuestionForm, error_list
from saferplan.consultation.models import Option
from saferplan.consultation.testing import make_survey
from saferplan.partnership.testing import make_partnership

ROOT = Path(settings.BASE_DIR) / "saferplan"
JINJA_DIRS = [ROOT / "jinja2", *sorted(ROOT.glob("*/jinja2"))]
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"


class _Markup(HTMLParser):
    """Tags with their attributes (entities read) and text with its whitespace collapsed: what a
    browser and a screen reader get, whatever the engine's spacing or its choice of entity."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.items.append(f"<{tag} {attrs}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.items.append(f"</{tag}>")

    def handle_data(self, data):
        if data.split():
            self.items.append(" ".join(data.split()))


def markup(html: str) -> list[str]:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', str(html))
    parser = _Markup()
    parser.feed(html)
    return parser.items


def jinja_names() -> list[str]:
    return sorted(str(p.relative_to(d)) for d in JINJA_DIRS for p in d.rglob("*.html"))


def request_for(path="/", welsh=False, message=None):
    request = RequestFactory().get(path)
    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = default_storage(request)
    if welsh:
        request.session[languages.SESSION_KEY] = languages.WELSH
    if message:
        add_message(request, constants.SUCCESS, message)
    return request


def render_both(dtl: str, jinja: str, context: dict, request=None):
    """The same context through the Django template and its Jinja2 counterpart."""
    django_html = render_to_string(dtl, dict(context), request=request, using="django")
    jinja_html = render_to_string(jinja, dict(context), request=request, using="jinja2")
    return django_html, jinja_html


@pytest.fixture
def cardiff(db):
    partnership = make_partnership(name="Cardiff <Community> Safety Partnership", slug="cardiff", codes=("W06000015",))
    partnership.logo_type = "image/png"
    partnership.logo_alt = "Cardiff & Vale"
    partnership.save()
    return partnership


# The layout ---------------------------------------------------------------------------------------
SERVICE_NAME = re.compile(r'<span class="govuk-service-navigation__service-name">.*?</span>\s*</div>', re.S)
KIOSK_BANNER = re.compile(r'<div class="govuk-phase-banner app-kiosk-banner">.*?</form>\s*</div>', re.S)


def _shared(html: str) -> str:
    """The page less what differs by design: the service name (a survey's title on its pages, the
    partnership's name on its home and privacy notice) and the drop-in banner (a survey's pages only)."""
    return KIOSK_BANNER.sub("", SERVICE_NAME.sub("", html))


@pytest.mark.parametrize("state", ["plain", "kiosk", "welsh", "message", "errors"])
def test_the_jinja2_layout_is_the_django_layout(state, survey, cardiff):
    """resident/base.html is base.html, public/base.html and consultation/public/base.html for a
    survey's page: head, header, logo, language switch, messages, footer, title's error mark."""
    if state in {"welsh", "message"}:
        survey = make_survey(cardiff, with_area=False, slug="arolwg")
    partnership = survey.partnership
    request = request_for(survey.public_url(), welsh=state == "welsh",
                          message="Saved <b>" if state == "message" else None)
    language = languages.language_of(request, partnership)
    with translation.override(language):
        context = {"survey": survey, "partnership": partnership, "public_partnership": partnership,
                   "kiosk": {"survey": survey.pk} if state == "kiosk" else None,
                   "languages": languages.switch_links(request, partnership)}
        if state == "errors":
            question = definition.questions_of(survey, "en")[0]
            context["form"] = QuestionForm(question, {"answer": "99999"})
            assert not context["form"].is_valid()
        django_html, jinja_html = render_both("consultation/public/base.html", "resident/base.html", context, request)
    assert markup(_shared(jinja_html)) == markup(_shared(django_html))
    expected = {"plain": "Skip to main content", "kiosk": "Start again and clear my answers",
                "welsh": 'lang="cy"', "message": "Saved &lt;b&gt;", "errors": "(error) – Saferplan"}[state]
    assert expected in jinja_html
    if state == "message":
        assert "app-header-logo" in jinja_html and "Cardiff &amp; Vale" in django_html
    if state == "kiosk":
        banner = KIOSK_BANNER.search(jinja_html)[0]
        assert f'action="{reverse("public-consultation:start-again", args=[survey.partnership.slug, survey.slug])}"' in banner
        assert 'name="csrfmiddlewaretoken"' in banner and "Drop-in" in banner
    else:
        assert not KIOSK_BANNER.search(jinja_html)
    assert f'<a href="{survey.public_url()}" class="govuk-service-navigation__link">' in jinja_html


def _header_and_footer(html: str) -> tuple[str, str, str]:
    header = _shared(re.search(r'<div class="govuk-generic-header">.*?</header>', html, re.S)[0])
    footer = re.search(r"<footer.*</footer>", html, re.S)[0]
    head = re.search(r"<head>.*?<title>", html, re.S)[0] + re.search(r"</title>.*?</head>", html, re.S)[0]
    return header, footer, head


def test_a_question_page_and_the_partnership_home_share_header_and_footer(client, cardiff):
    """The Jinja2 question page against the Django template partnership home, for one partnership."""
    survey = make_survey(cardiff, with_area=False)
    home = client.get(reverse("public-consultation:partnership", kwargs={"partnership": cardiff.slug}))
    question = client.get(reverse("public-consultation:question", kwargs={
        "partnership": cardiff.slug, "survey": survey.slug, "code": "q1"}))
    assert home.status_code == question.status_code == 200
    for django_part, jinja_part in zip(_header_and_footer(home.content.decode()), _header_and_footer(question.content.decode())):
        assert markup(jinja_part) == markup(django_part)
    assert 'src="/static/saferplan/js/init.mjs"' in question.content.decode()


# The question and the components -----------------------------------------------------------------
def _forms(survey):
    questions = {q.code: q for q in definition.questions_of(survey, "en")}
    other = Option.objects.get(question__survey=survey, question__code="q5", label="Other")
    robbery = Option.objects.get(question__survey=survey, question__code="q5", label="Robbery")
    yield QuestionForm(questions["q1"])
    yield QuestionForm(questions["q5"], initial_value={"options": [robbery.pk, other.pk], "other": "Fly-tipping & <b>"})
    yield QuestionForm(questions["q5"], {"answer": [str(other.pk)], "other": ""})
    yield QuestionForm(questions["q5"], {"answer": [str(o.pk) for o in questions["q5"].options.all()], "other": "x"})
    yield QuestionForm(questions["q4"], initial_value={"text": "Speeding & <script>\nline two"})
    yield QuestionForm(questions["q4"], {"answer": "x" * 6000})
    yield QuestionForm(questions["q2"], {"answer": "99999"})


def _references_resolve(html: str) -> None:
    """Every label's for and every aria-describedby names an element of the markup."""
    ids = set(re.findall(r' id="([^"]+)"', html))
    for names in re.findall(r'(?:aria-describedby|for|data-aria-controls)="([^"]+)"', html):
        assert set(names.split()) <= ids, (names, sorted(ids))


def test_one_question_markup_for_the_resident_and_the_paper_form(survey):
    """consultation/_question.html (Jinja2) is the only markup of a question: the resident's page
    renders it as the page's heading, staff's paper form (a Django template) through {% jinja %}."""
    seen = set()
    for form in _forms(survey):
        form.is_valid() if form.is_bound else None
        resident = render_to_string("consultation/_question.html", {"form": form, "heading": True,
                                                                     "caption": "About you: question 2 of 9"},
                                    using="jinja2")
        assert '<span class="govuk-caption-l">About you: question 2 of 9</span>' in resident
        assert "govuk-fieldset__heading" in resident or "govuk-label-wrapper" in resident
        _references_resolve(resident)
        paper_form = QuestionForm(form.question, form.data if form.is_bound else None, paper=True)
        paper_form.is_valid() if paper_form.is_bound else None
        paper = engines["django"].from_string(
            '{% jinja "consultation/_question.html" form=form heading=False caption="" %}').render({"form": paper_form})
        assert "<h1" not in paper and "govuk-caption-l" not in paper
        assert ("q-spoilt" in paper or 'id="id_spoilt"' in paper) == form.question.is_choice
        _references_resolve(paper)
        seen |= {kind for kind in ("govuk-radios__input", "govuk-checkboxes__input", "govuk-textarea",
                                   "govuk-error-message", "govuk-checkboxes__conditional", "&lt;b&gt;")
                 if kind in resident}
    assert seen == {"govuk-radios__input", "govuk-checkboxes__input", "govuk-textarea", "govuk-error-message",
                    "govuk-checkboxes__conditional", "&lt;b&gt;"}


def test_the_components_are_the_django_includes(survey):
    errors = error_list(QuestionForm(definition.questions_of(survey, "en")[0], {"answer": "99999"}))
    errors.append({"href": "", "message": "Answer ‘Is <this> safe?’"})
    jinja = engines["jinja2"].env
    components = jinja.get_template("resident/components.html").module
    assert markup(components.error_summary(errors)) == markup(
        render_to_string("govuk/error_summary.html", {"errors": errors}, using="django"))
    assert "There is a problem" in render_to_string("govuk/error_summary.html", {"errors": errors}, using="django")
    assert markup(components.error_summary([])) == []
    rows = [
        ('{% include "core/includes/summary_row.html" with key="Opens" value=v %}', '{{ c.summary_row("Opens", value=v) }}',
         "&lt;later&gt;"),
        ('{% include "core/includes/summary_row.html" with key="Job" value="" otherwise="Not given" no_actions=True %}',
         '{{ c.summary_row("Job", value="", otherwise="Not given", no_actions=True) }}', "row--no-actions"),
        ('{% component "core/includes/summary_row.html" key=k change_url="/c?change=1&x=<" change_hidden=h change_label="Newid" %}'
         'a<br>b{% endcomponent %}',
         '{% call c.summary_row(k, change_url="/c?change=1&x=<", change_hidden=h, change_label="Newid") %}a<br>b{% endcall %}',
         'Newid<span class="govuk-visually-hidden"> your answer to: Is &lt;this&gt; safe?</span>'),
        ('{% component "core/includes/summary_row.html" key=k change_url="/c" remove_url="/r" id="row" value_id="v" %}'
         ' {% endcomponent %}',
         '{% call c.summary_row(k, change_url="/c", remove_url="/r", id="row", value_id="v") %} {% endcall %}',
         'Remove<span class="govuk-visually-hidden"> is &lt;this&gt; safe?</span>'),
        ('{% component "core/includes/summary_list.html" classes="govuk-!-margin-bottom-9" %}<p>x</p>{% endcomponent %}',
         '{% call c.summary_list(classes="govuk-!-margin-bottom-9") %}<p>x</p>{% endcall %}', "<p>x</p></dl>"),
    ]
    values = {"v": "1 April 2026 & <later>", "k": "Is <this> safe?", "h": "your answer to: Is <this> safe?"}
    for django_source, jinja_source, expected in rows:
        django_html = engines["django"].from_string(django_source).render(values)
        jinja_html = jinja.from_string('{% import "resident/components.html" as c %}' + jinja_source).render(values)
        assert markup(jinja_html) == markup(django_html), django_source
        assert expected in jinja_html, jinja_html


# Which engine finds what --------------------------------------------------------------------------
def test_each_jinja2_template_is_found_by_jinja2_alone():
    names = jinja_names()
    assert {"resident/base.html", "consultation/public/question.html", "consultation/public/check.html"} <= set(names)
    for name in names:
        engines["jinja2"].get_template(name)
        with pytest.raises(TemplateDoesNotExist):
            engines["django"].get_template(name)


def test_a_name_missing_from_the_context_is_an_error_not_a_blank(survey):
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        render_to_string("consultation/public/nothing_submitted.html", {"survey": survey}, using="jinja2")


# Words --------------------------------------------------------------------------------------------
def test_every_word_of_the_jinja2_pages_reaches_the_welsh_catalogue():
    """makemessages reads templates through Django's templatize, which finds ``_("...")`` only at the
    start of ``{{ }}`` or anywhere in ``{% %}``: a word it cannot find would stay English in Welsh."""
    from jinja2.ext import extract_from_ast

    env = engines["jinja2"].env
    catalogue = {e.msgid for e in polib.pofile(str(CATALOGUE)).translated_entries()}
    words = 0
    for directory in JINJA_DIRS:
        for path in directory.rglob("*.html"):
            source = path.read_text()
            called = [(function, message) for _, function, message in
                      extract_from_ast(env.parse(source), gettext_functions=("_", "gettext", "ngettext"))]
            assert all(function == "_" for function, _ in called), f"{path.name}: use _() (a plural goes in Python)"
            extracted = templatize(source, origin=str(path))
            for _, message in called:
                words += 1
                assert f"_({message!r})" in extracted or f'_("{message}")' in extracted, \
                    f"{path.name}: makemessages would not find {message!r}"
                assert message in catalogue, f"{path.name}: {message!r} is not translated in {CATALOGUE.name}"
    assert words > 60


# What the environment remembers -------------------------------------------------------------------
def test_remembered_urls_and_words_follow_the_script_prefix_and_the_language(settings):
    from django.urls import set_script_prefix

    from saferplan.core import jinja

    assert jinja.url("public-consultation:privacy", "melton") == reverse("public-consultation:privacy", args=["melton"])
    assert jinja.url("public-consultation:privacy", partnership="melton") == reverse(
        "public-consultation:privacy", kwargs={"partnership": "melton"})
    plain = reverse("accessibility")
    assert jinja.url("accessibility") == plain
    set_script_prefix("/saferplan/")  # as a WSGI server's SCRIPT_NAME sets it for a request
    try:
        assert jinja.url("accessibility") == "/saferplan" + plain == reverse("accessibility")
    finally:
        set_script_prefix("/")
    assert jinja.url("accessibility") == plain
    with translation.override("cy"):
        assert jinja.gettext("Skip to main content") == translation.gettext("Skip to main content") != "Skip to main content"
    assert jinja.gettext("Skip to main content") == "Skip to main content"
    before = jinja.static("build/saferplan.css")
    settings.STATIC_URL = "/assets/"  # a changed setting is not answered from memory
    assert jinja.static("build/saferplan.css") == "/assets/build/saferplan.css" != before


def test_the_landing_page_words_its_number_of_questions_in_the_page_language():
    from saferplan.consultation.public import how_long

    assert how_long(1).startswith("It takes about 10 minutes. There is 1 question; you can skip it")
    assert "There are 9 questions; you can skip any" in how_long(9)
    with translation.override("cy"):
        assert how_long(9).startswith("Mae’n cymryd tua 10 munud. Mae 9 cwestiwn")


def test_the_landing_page_says_how_many_questions(client, survey):
    page = client.get(survey.public_url()).content.decode()
    assert f"There are {survey.questions.count()} questions" in page
