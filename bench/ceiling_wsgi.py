"""What the public form's throughput could be at best, for bench/consultation_load.py --ceilings.

The resident's journey is served with its HTTP shape kept (the same addresses, a page of a real
question page's size with a CSRF token, every POST checked for CSRF and redirected) but with less
of the form's own work, chosen by BENCH_CEILING:

- "static": nothing else. No database, no rendering: Django and gunicorn's own cost for the
  journey's requests, the ceiling of any Django view.
- "state": the shared state issue #10 asks for and nothing more: each page reads the published
  survey and the resident's session from PostgreSQL, each answer writes the session. No
  rendering, no form, no validation: the floor of a form that keeps its state in the database.

Only the bench loads this module; it changes one view class in the bench's own server process.
"""
import os

from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token

from saferplan.wsgi import application  # noqa: F401 - sets Django up, and is what gunicorn serves
from saferplan.consultation import public

CEILING = os.environ["BENCH_CEILING"]
PAGE = b"x" * 7000  # a question page of Melton's survey is 5.7 to 9.3 kB


def _page(request, extra: str = "") -> HttpResponse:
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">'
                        f'<strong id="reference">CEILING-{extra}</strong>'.encode() + PAGE)


def static(self, request, partnership, survey, *args, **kwargs):
    if request.method == "POST":
        return HttpResponseRedirect(request.path)
    return _page(request)


def state(self, request, partnership, survey, *args, **kwargs):
    public.published_survey_or_404(partnership, survey)
    answers = request.session.get("bench_answers", {})
    if request.method == "POST":
        answers[request.path] = request.POST.getlist("answer")
        request.session["bench_answers"] = answers
        return HttpResponseRedirect(request.path)
    return _page(request, str(len(answers)))


if CEILING not in ("static", "state"):
    raise SystemExit(f"BENCH_CEILING={CEILING!r}: use static or state")
public.PublicSurveyView.dispatch = static if CEILING == "static" else state
