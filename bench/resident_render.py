"""Benchmark: rendering a resident's question page (template work only, no request, no database),
Jinja2 (what the page uses, docs/adr/0025-jinja2-for-the-resident-journey.md) against the same
page in Django's template language, in the same process: the Django layout (base.html and
public/base.html, which other public pages still extend) and the page as the Django templates had
it before the port (consultation/public/base.html's blocks, question.html, _question.html and
_other.html, written in place: one level of extends and two includes fewer than the old page, so
the Django figure is if anything lower than the old code's).
Both must give the same markup, or the ratio would compare different pages.

    .venv/bin/python bench/resident_render.py [--renders 4000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from consultation_common import fresh_database, setup

# The page as a Django template, as consultation/public/base.html, question.html, _question.html and
# _other.html were before the port (commit ef0a908), written in place.
DJANGO_QUESTION_PAGE = """{% extends "public/base.html" %}{% load i18n %}
{% block title %}{{ question.text|truncatechars:90 }} – {{ survey.title }}{% endblock %}
{% block service_navigation %}
<section aria-label="{% translate 'Service information' %}" class="govuk-service-navigation">
  <div class="govuk-width-container">
    <div class="govuk-service-navigation__container">
      <span class="govuk-service-navigation__service-name">
        {% if survey %}<a href="{{ survey.public_url }}" class="govuk-service-navigation__link">{{ survey.title }}</a>{% else %}<span class="govuk-service-navigation__text">{{ partnership.name }}</span>{% endif %}
      </span>
    </div>
  </div>
</section>
{% endblock %}
{% block before_content %}
{% if languages %}
<nav class="app-language-select govuk-!-margin-top-2" aria-label="{% translate 'Choose a language' %}" id="language-select">
  <p class="govuk-body-s govuk-!-text-align-right govuk-!-margin-bottom-0">
    {% for l in languages %}{% if l.current %}<span aria-current="true">{{ l.name }}</span>{% else %}<a class="govuk-link" href="{{ l.href }}" hreflang="{{ l.code }}" lang="{{ l.code }}" rel="alternate">{% if l.code == "cy" %}<span class="govuk-visually-hidden">Newid yr iaith i’r Gymraeg: </span>{% else %}<span class="govuk-visually-hidden">Change the language to English: </span>{% endif %}{{ l.name }}</a>{% endif %}{% if not forloop.last %} | {% endif %}{% endfor %}
  </p>
</nav>
{% endif %}
{% if kiosk %}
<div class="govuk-phase-banner app-kiosk-banner">
  <p class="govuk-phase-banner__content">
    <strong class="govuk-tag govuk-phase-banner__content__tag">{% translate "Drop-in" %}</strong>
    <span class="govuk-phase-banner__text">{% translate "This tablet is shared. Your answers are cleared when you finish, or after 10 minutes without use." %}</span>
  </p>
  <form method="post" action="{% url 'public-consultation:start-again' partnership.slug survey.slug %}" class="app-inline-form">{% csrf_token %}
    <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-2" data-module="govuk-button">{% translate "Start again and clear my answers" %}</button>
  </form>
</div>
{% endif %}
<a href="{{ back_url }}" class="govuk-back-link">{% translate "Back" %}</a>
{% endblock %}
{% block content %}
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    {% if errors %}{% include "govuk/error_summary.html" %}{% endif %}
    <form method="post" novalidate>{% csrf_token %}
      {% with heading=True %}{% with q=form.question answer=form.answer %}{% with answer_errors=answer.errors answer_id=answer.auto_id answer_name=answer.html_name %}
{% if q.is_choice %}
<div class="govuk-form-group{% if answer_errors %} govuk-form-group--error{% endif %}">
  <fieldset class="govuk-fieldset"{% if q.hint or form.limit_hint or answer_errors %} aria-describedby="{% if q.hint or form.limit_hint %}{{ answer_id }}-hint{% endif %}{% if answer_errors %} {{ answer_id }}-error{% endif %}"{% endif %}>
    <legend class="govuk-fieldset__legend {% if heading %}govuk-fieldset__legend--l{% else %}govuk-fieldset__legend--m{% endif %}">
      {% if heading %}{% if caption %}<span class="govuk-caption-l">{{ caption }}</span>{% endif %}<h1 class="govuk-fieldset__heading">{{ q.text }}</h1>{% else %}{{ q.text }}{% endif %}
    </legend>
    {% if q.hint or form.limit_hint %}<div id="{{ answer_id }}-hint" class="govuk-hint">{% if form.limit_hint %}{{ form.limit_hint }}.{% endif %} {{ q.hint }}</div>{% endif %}
    {% if answer_errors %}<p id="{{ answer_id }}-error" class="govuk-error-message">{% for e in answer_errors %}<span class="govuk-visually-hidden">{% translate "Error:" %}</span> {{ e }}{% if not forloop.last %}<br>{% endif %}{% endfor %}</p>{% endif %}
    {% if q.is_multiple %}
    <div class="govuk-checkboxes{% if not heading %} govuk-checkboxes--small{% endif %}" data-module="govuk-checkboxes">
      {% for o in form.option_rows %}
      <div class="govuk-checkboxes__item">
        <input class="govuk-checkboxes__input" id="{{ o.id }}" name="{{ answer_name }}" type="checkbox" value="{{ o.value }}"{% if o.selected %} checked{% endif %}{% if o.is_other %} data-aria-controls="{{ o.id }}-conditional"{% endif %}>
        <label class="govuk-label govuk-checkboxes__label" for="{{ o.id }}">{{ o.label }}</label>
      </div>
      {% if o.is_other %}{% with kind="checkboxes" %}{% with other=form.other %}
<div class="govuk-{{ kind }}__conditional{% if not o.selected and not other.errors %} govuk-{{ kind }}__conditional--hidden{% endif %}" id="{{ o.id }}-conditional">
  <div class="govuk-form-group{% if other.errors %} govuk-form-group--error{% endif %}">
    <label class="govuk-label" for="{{ other.auto_id }}">{% translate "Please specify" %}</label>
    {% if other.errors %}<p id="{{ other.auto_id }}-error" class="govuk-error-message">{% for e in other.errors %}<span class="govuk-visually-hidden">{% translate "Error:" %}</span> {{ e }}{% endfor %}</p>{% endif %}
    <input class="govuk-input govuk-!-width-full{% if other.errors %} govuk-input--error{% endif %}" id="{{ other.auto_id }}" name="{{ other.html_name }}" type="text" autocomplete="off" value="{{ other.value|default_if_none:'' }}"{% if other.errors %} aria-describedby="{{ other.auto_id }}-error"{% endif %}>
  </div>
</div>
{% endwith %}{% endwith %}{% endif %}
      {% endfor %}
    </div>
    {% else %}
    <div class="govuk-radios{% if not heading %} govuk-radios--small{% endif %}{% if form.options|length <= 2 and heading %} govuk-radios--inline{% endif %}" data-module="govuk-radios">
      {% for o in form.option_rows %}
      <div class="govuk-radios__item">
        <input class="govuk-radios__input" id="{{ o.id }}" name="{{ answer_name }}" type="radio" value="{{ o.value }}"{% if o.selected %} checked{% endif %}{% if o.is_other %} data-aria-controls="{{ o.id }}-conditional"{% endif %}>
        <label class="govuk-label govuk-radios__label" for="{{ o.id }}">{{ o.label }}</label>
      </div>
      {% if o.is_other %}{% with kind="radios" %}{% with other=form.other %}
<div class="govuk-{{ kind }}__conditional{% if not o.selected and not other.errors %} govuk-{{ kind }}__conditional--hidden{% endif %}" id="{{ o.id }}-conditional">
  <div class="govuk-form-group{% if other.errors %} govuk-form-group--error{% endif %}">
    <label class="govuk-label" for="{{ other.auto_id }}">{% translate "Please specify" %}</label>
    {% if other.errors %}<p id="{{ other.auto_id }}-error" class="govuk-error-message">{% for e in other.errors %}<span class="govuk-visually-hidden">{% translate "Error:" %}</span> {{ e }}{% endfor %}</p>{% endif %}
    <input class="govuk-input govuk-!-width-full{% if other.errors %} govuk-input--error{% endif %}" id="{{ other.auto_id }}" name="{{ other.html_name }}" type="text" autocomplete="off" value="{{ other.value|default_if_none:'' }}"{% if other.errors %} aria-describedby="{{ other.auto_id }}-error"{% endif %}>
  </div>
</div>
{% endwith %}{% endwith %}{% endif %}
      {% endfor %}
    </div>
    {% endif %}
    {% if "spoilt" in form.fields %}{% with spoilt=form.spoilt %}
    <div class="govuk-form-group govuk-!-margin-top-3 govuk-!-margin-bottom-0{% if spoilt.errors %} govuk-form-group--error{% endif %}">
      {% if spoilt.errors %}<p id="{{ spoilt.auto_id }}-error" class="govuk-error-message">{% for e in spoilt.errors %}<span class="govuk-visually-hidden">{% translate "Error:" %}</span> {{ e }}{% endfor %}</p>{% endif %}
      <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
        <div class="govuk-checkboxes__item">
          <input class="govuk-checkboxes__input" id="{{ spoilt.auto_id }}" name="{{ spoilt.html_name }}" type="checkbox" value="on"{% if spoilt.value %} checked{% endif %}{% if spoilt.errors %} aria-describedby="{{ spoilt.auto_id }}-error"{% endif %}>
          <label class="govuk-label govuk-checkboxes__label" for="{{ spoilt.auto_id }}">{{ spoilt.label }}</label>
        </div>
      </div>
    </div>
    {% endwith %}{% endif %}
  </fieldset>
</div>
{% else %}
<div class="govuk-form-group govuk-character-count{% if answer_errors %} govuk-form-group--error{% endif %}" data-module="govuk-character-count" data-maxlength="{{ q.max_length }}">
  {% if heading %}{% if caption %}<span class="govuk-caption-l">{{ caption }}</span>{% endif %}<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="{{ answer_id }}">{{ q.text }}</label></h1>
  {% else %}<label class="govuk-label govuk-label--m" for="{{ answer_id }}">{{ q.text }}</label>{% endif %}
  {% if q.hint %}<div id="{{ answer_id }}-hint" class="govuk-hint">{{ q.hint }}</div>{% endif %}
  {% if answer_errors %}<p id="{{ answer_id }}-error" class="govuk-error-message">{% for e in answer_errors %}<span class="govuk-visually-hidden">{% translate "Error:" %}</span> {{ e }}{% if not forloop.last %}<br>{% endif %}{% endfor %}</p>{% endif %}
  <textarea class="govuk-textarea govuk-js-character-count{% if answer_errors %} govuk-textarea--error{% endif %}" id="{{ answer_id }}" name="{{ answer_name }}" rows="{% if heading %}8{% else %}4{% endif %}" autocomplete="off" aria-describedby="{{ answer_id }}-info{% if q.hint %} {{ answer_id }}-hint{% endif %}{% if answer_errors %} {{ answer_id }}-error{% endif %}">{{ answer.value|default_if_none:"" }}</textarea>
  <div id="{{ answer_id }}-info" class="govuk-hint govuk-character-count__message">{% blocktranslate with limit=q.max_length %}You can enter up to {{ limit }} characters{% endblocktranslate %}</div>
</div>
{% endif %}
{% endwith %}{% endwith %}{% endwith %}
      <button type="submit" class="govuk-button" data-module="govuk-button">{% translate "Continue" %}</button>
    </form>
    {% if not question.required %}<p class="govuk-body-s">{% translate "You can leave this question unanswered and select Continue." %}</p>{% endif %}
  </div>
</div>
{% endblock %}
"""


def cpu_times(call, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=4000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; the benchmark makes and drops its own database")
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    try:
        survey = setup(url)
        from django.contrib.auth.models import AnonymousUser
        from django.contrib.messages.storage import default_storage
        from django.contrib.sessions.backends.db import SessionStore
        from django.template import engines
        from django.test import RequestFactory

        from saferplan.consultation import definition, languages
        from saferplan.consultation.forms import QuestionForm

        question = next(q for q in definition.questions_of(survey, "en") if q.code == "q2")
        request = RequestFactory().get(survey.public_url())
        request.session, request.user = SessionStore(), AnonymousUser()
        request._messages = default_storage(request)
        context = {"survey": survey, "partnership": survey.partnership, "public_partnership": survey.partnership,
                   "kiosk": None, "languages": languages.switch_links(request, survey.partnership),
                   "form": QuestionForm(question), "question": question, "errors": [],
                   "back_url": survey.public_url(), "caption": "About you: question 2 of 9"}
        django_page = engines["django"].from_string(DJANGO_QUESTION_PAGE)
        jinja_page = engines["jinja2"].get_template("consultation/public/question.html")

        def django_render():
            return django_page.render(dict(context), request)

        def jinja_render():
            return jinja_page.render(dict(context), request)

        def words(html):
            html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
            return re.sub(r"\s+", " ", html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")).replace("> <", "><").strip()

        if words(django_render()) != words(jinja_render()):
            import difflib
            print("\n".join(difflib.unified_diff(words(django_render()).split("><"), words(jinja_render()).split("><"), lineterm="")))
            raise SystemExit("the two engines must render the same page")
        times: dict[str, list[float]] = {"django": [], "jinja2": []}
        for _ in range(10):  # interleaved, so a busier moment of a shared machine weighs on both
            times["django"] += cpu_times(django_render, args.renders // 10)
            times["jinja2"] += cpu_times(jinja_render, args.renders // 10)
        median = {name: statistics.median(t) * 1000 for name, t in times.items()}
        print(f"question page render only (template work, CPU time of this process); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"Django template language: {median['django']:.3f} ms")
        print(f"Jinja2: {median['jinja2']:.3f} ms, {median['jinja2'] / median['django']:.2f} x the Django template")
    finally:
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
