"""The assessment's long work, run by the job worker (``manage.py db_worker``): the one process
that writes the crime store. Each task is a thin call into ``services``."""
try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task

from . import services


@task()
def import_data(job_id: int) -> None:
    # services.writing() opens the store for the import and closes it after: between tasks the
    # worker holds nothing, and during one the command line, other workers and backups wait.
    services.run_import(job_id)
    services.remove_abandoned_uploads()
    readers = services.partnerships_reading_import(job_id)
    if readers:
        # KPIs bound to the data, and documents built on it, follow the new data.
        from saferplan.planning.tasks import refresh_bound_kpis

        refresh_bound_kpis.enqueue(readers)


@task()
def remove_abandoned_uploads() -> str:
    from saferplan.ops.schedule import record_outcome

    removed = services.remove_abandoned_uploads()
    outcome = f"{removed} abandoned import{'s' if removed != 1 else ''} or upload folder{'s' if removed != 1 else ''} removed"
    record_outcome("import-housekeeping", outcome)
    return outcome

