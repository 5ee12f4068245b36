"""A survey's definition (its sections, questions and options) as the public form reads it on
every page, without rebuilding it from the database each time.

Three tiers, each keyed by the survey's id, its ``definition_version`` and the language (the Welsh
copy has the Welsh text in place of the English, languages.py):
1. this process's memory: a small bounded map of immutable, already-built questions;
2. the shared cache (the database cache every web process reads), pickled;
3. the database, which fills both.

Staleness: the version lives on the survey's own row, which every public page reads anyway to
find the survey, so each request learns the current version from the shared store. Any save or
delete of a section, question or option raises it (signals below, connected in apps.py), and
``Survey.save`` never writes an old version back. A copy made under an old version is never
looked up again, so it cannot be served; the shared copies expire, the local ones fall off the
end of the map. Nothing a resident does is kept here: only what staff published.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import django
from django.core.cache import cache
from django.db.models import F

from . import languages
from .models import Option, Question, Section, Survey

LOCAL_LIMIT = 64  # surveys a web process keeps built; a national instance has a few hundred open
SHARED_SECONDS = 7 * 24 * 60 * 60

_built: OrderedDict[tuple[int, int, str], list[Question]] = OrderedDict()
# A web process serves several requests at once (gunicorn threads): the map's order is changed
# under this lock, so one thread never moves a key another has just dropped.
_built_lock = threading.Lock()


def _shape() -> str:
    """The models' columns and Django's version: pickled instances are only valid for both, so a
    release that changes either reads fresh copies instead of unpickling old ones."""
    names = [django.get_version()] + [f"{model.__name__}:{f.attname}" for model in (Section, Question, Option)
                                      for f in model._meta.concrete_fields]
    return hashlib.sha256("|".join(names).encode()).hexdigest()[:12]


SHAPE = _shape()


def shared_key(survey: Survey, language: str = languages.ENGLISH) -> str:
    return f"consultation:definition:{SHAPE}:{survey.pk}:{survey.definition_version}:{language}"


def questions_of(survey: Survey, language: str = languages.ENGLISH) -> list[Question]:
    """The survey's questions in order, each with its section and options loaded, in ``language``.
    Shared between requests: read them, never change them."""
    key = (survey.pk, survey.definition_version, language)
    with _built_lock:
        questions = _built.get(key)
        if questions is not None:
            _built.move_to_end(key)
            return questions
    questions = cache.get(shared_key(survey, language))
    if questions is None:
        questions = languages.questions_in(list(survey.ordered_questions()), language)
        cache.set(shared_key(survey, language), questions, SHARED_SECONDS)
    with _built_lock:
        # Two threads may both have built it: either copy is the same definition.
        _built[key] = questions
        while len(_built) > LOCAL_LIMIT:
            _built.popitem(last=False)
    return questions


def forget_local() -> None:
    """Empty this process's copies (tests that count queries start from nothing)."""
    with _built_lock:
        _built.clear()


def definition_changed(sender, instance, **kwargs) -> None:
    """A section, question or option was saved or deleted: raise its survey's version."""
    if isinstance(instance, Option):
        # By the question's id: after a delete the question row may be gone too (a cascade), and
        # then the question's own signal raises the version.
        surveys = Survey.objects.filter(questions__pk=instance.question_id)
    else:
        surveys = Survey.objects.filter(pk=instance.survey_id)
    # An update in the database, not a save: it cannot write back a version read earlier.
    surveys.update(definition_version=F("definition_version") + 1)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (Section, Question, Option):
        post_save.connect(definition_changed, sender=model, dispatch_uid=f"definition-{model.__name__}-saved")
        post_delete.connect(definition_changed, sender=model, dispatch_uid=f"definition-{model.__name__}-deleted")
