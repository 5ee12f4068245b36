"""The Jinja2 environment of the resident's consultation journey (docs/adr/0025-jinja2-for-the-resident-journey.md).

Only the pages a resident goes through to answer a survey are Jinja2 (they are most of the public
form's server time); every other page is a Django template. What those pages call is Django's own:
static paths from the staticfiles storage (so production's hashed names), URLs from ``reverse``,
words from Django's gettext (so ``translation.override`` in ``languages.respond`` gives Welsh),
dates from ``wording``, and a form field from the same ``govuk/field.html`` the ``{% field %}`` tag
renders.

A page asks for the same few static paths, URLs and words on every request, and working each out
cost more than the rest of the template (a URL ~15 to 27 us, a word in English ~4 us). So each is
remembered in this process, keyed by everything Django's answer depends on: the static path (the
storage reads its manifest once per process anyway); the URL's name, arguments, script prefix and
URL configuration; the word and the active language. These are answers derived from code,
configuration and the catalogue, never a person's data, bounded in number, and forgotten when a
setting changes (tests) or a catalogue file changes (runserver), as Django's own caches are.
"""
from __future__ import annotations

import functools

import jinja2
from django.core.signals import setting_changed
from django.template import defaultfilters
from django.template.loader import render_to_string
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.safestring import mark_safe

from saferplan import wording


@functools.lru_cache(maxsize=256)
def static(path: str) -> str:
    return django_static(path)


@functools.lru_cache(maxsize=4096)
def _reversed(name: str, args: tuple, kwargs: tuple, prefix: str, urlconf) -> str:
    # prefix and urlconf are in the key only: reverse() reads the same ones from this thread.
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


def url(name: str, *args, **kwargs) -> str:
    """``url("public-consultation:privacy", partnership.slug)``, as Django's ``{% url %}``."""
    return _reversed(name, args, tuple(sorted(kwargs.items())), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=4096)
def _translated(message: str, language: str | None) -> str:
    # language is in the key only: gettext() reads the same active language.
    return translation.gettext(message)


def gettext(message: str) -> str:
    return _translated(message, translation.get_language())


def _forget(**kwargs) -> None:
    static.cache_clear()
    _reversed.cache_clear()
    _translated.cache_clear()


def _forget_catalogue(sender, file_path, **kwargs) -> None:
    if file_path.suffix == ".mo":
        _translated.cache_clear()


setting_changed.connect(_forget, dispatch_uid="saferplan.core.jinja")
file_changed.connect(_forget_catalogue, dispatch_uid="saferplan.core.jinja")


def field(bound_field, **options) -> str:
    """A form field as GOV.UK markup: the one ``govuk/field.html`` that ``{% field %}`` renders."""
    from saferplan.templatetags.govuk import field as field_context

    return mark_safe(render_to_string("govuk/field.html", field_context(bound_field, **options), using="django"))


def environment(**options) -> jinja2.Environment:
    # A missing name is a mistake in the template, never an empty string on a resident's page (Django's
    # default would print "{{ name }}" itself when DEBUG is on).
    options["undefined"] = jinja2.StrictUndefined
    env = jinja2.Environment(**options)
    env.globals.update({
        "static": static,
        "url": url,
        "field": field,
        # Only _(): makemessages finds no other name in a template (a plural is worded in Python).
        "_": gettext,
        "get_language": translation.get_language,
    })
    env.filters.update({
        "uk_date": wording.uk_date,
        "truncatechars": defaultfilters.truncatechars,
        "time": defaultfilters.time,
    })
    return env
