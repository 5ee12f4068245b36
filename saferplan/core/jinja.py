"""The Jinja2 environment of the resident's consultation journey (docs/adr/0025-jinja2-for-the-resident-journey.md).

Only the pages a resident goes through to answer a survey are Jinja2 (they are most of the public
form's server time); every other page is a Django template. What those pages call is Django's own:
static paths from the staticfiles storage (so production's hashed names), URLs from ``reverse``,
words from Django's gettext (so ``translation.override`` in ``languages.respond`` gives Welsh),
dates from ``wording``, and a form field from the same ``govuk/field.html`` the ``{% field %}`` tag
renders. Nothing here holds state between requests.
"""
from __future__ import annotations

import jinja2
from django.template import defaultfilters
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from saferplan import wording


def url(name: str, *args, **kwargs) -> str:
    """``url("public-consultation:privacy", partnership.slug)``, as Django's ``{% url %}``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
        "_": translation.gettext,
        "gettext": translation.gettext,
        "ngettext": translation.ngettext,
        "get_language": translation.get_language,
    })
    env.filters.update({
        "uk_date": wording.uk_date,
        "truncatechars": defaultfilters.truncatechars,
        "time": defaultfilters.time,
    })
    return env
