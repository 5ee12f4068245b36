"""The consultation's long work, run by the job worker: each task is a thin call into a service."""
try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task

from . import importer


@task()
def import_survey_batch(batch_id: int) -> None:
    importer.run_batch(batch_id)
