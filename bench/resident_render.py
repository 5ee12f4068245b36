"""Benchmark: rendering a resident's question page (template work only, no request, no database),
Jinja2 (what the page uses, docs/adr/0025-jinja2-for-the-resident-journey.md) against the same
page in Django's template language, in the same process: the Django layout the other public pages
still extend, the paper form's question markup, and the page's own lines as question.html had them.
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

# The page as a Django template, as consultation/public/question.html was before the port.
DJANGO_QUESTION_PAGE = """{% extends "consultation/public/base.html" %}{% load i18n %}
{% block title %}{{ question.text|truncatechars:90 }} – {{ survey.title }}{% endblock %}
{% block back %}<a href="{{ back_url }}" class="govuk-back-link">{% translate "Back" %}</a>{% endblock %}
{% block content %}
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    {% if errors %}{% include "govuk/error_summary.html" %}{% endif %}
    <form method="post" novalidate>{% csrf_token %}
      {% include "consultation/_question.html" with heading=True %}
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
