"""The assessment's long work, run by the job worker (``manage.py db_worker``): the one process
that writes the crime store. Each task is a thin call into ``services``."""
try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task

from . import services


@task()
def import_data(job_id: int) -> None:
    try:
        services.run_import(job_id)
        services.remove_abandoned_uploads()
    finally:
        # Let go of the store file between tasks: the command line and backups can open it then.
        services.close_store()

