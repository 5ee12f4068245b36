"""Document rendering, run by the job worker (see ``stored``)."""
try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task

from . import stored


@task()
def render_document(stored_id: int) -> None:
    stored.render(stored_id)


@task()
def prepare_published_documents() -> str:
    """Queue every public document whose inputs changed since it was last rendered."""
    from saferplan.ops.schedule import record_outcome

    keys = []
    for module in stored.KIND_MODULES:
        from importlib import import_module

        keys += import_module(module).published_keys()
    queued = stored.prepare(keys)
    outcome = f"{len(keys)} published document{'s' if len(keys) != 1 else ''}, {queued} queued to render"
    record_outcome("published-documents", outcome)
    return outcome


@task()
def prepare_documents(keys: list[str]) -> int:
    """Render these documents' current versions (when a plan is published or adopted)."""
    return stored.prepare(keys)
