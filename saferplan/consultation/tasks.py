"""The consultation's long work, run by the job worker: each task is a thin call into a service."""
try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task

from . import importer, services


@task()
def import_survey_batch(batch_id: int) -> None:
    importer.run_batch(batch_id)


@task()
def purge_due_surveys() -> str:
    from saferplan.ops.schedule import record_outcome

    logs = services.purge_due()
    outcome = (f"personal data of {len(logs)} survey{'s' if len(logs) != 1 else ''} deleted: "
               + ", ".join(log.survey.slug for log in logs)) if logs else "no survey past its purge date"
    record_outcome("retention-purge", outcome)
    return outcome


@task()
def clear_expired_sessions() -> str:
    from saferplan.ops.schedule import record_outcome

    services.clear_expired_sessions()
    record_outcome("expired-sessions", "expired sessions deleted")
    return "expired sessions deleted"
