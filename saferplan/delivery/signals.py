"""KPIs bound to the crime store follow it: when an import finishes in the job worker, the bound
KPIs of the adopted plans it concerns are worked out again from the new months.

Listening to the task runner's own ``task_finished`` signal keeps the assessment stage unaware of
delivery; the refresh runs in the worker, after the import has let go of the store.
"""
from __future__ import annotations

import logging

try:
    from django.tasks.signals import task_finished
except ImportError:
    from django_tasks.signals import task_finished

from django.dispatch import receiver

log = logging.getLogger(__name__)

IMPORT_TASK = "saferplan.assessment.tasks.import_data"


@receiver(task_finished)
def refresh_after_import(sender, task_result, **kwargs):
    if task_result.task.module_path != IMPORT_TASK or str(task_result.status) not in ("SUCCESSFUL", "SUCCEEDED"):
        return
    from .services.kpis import refresh_after_import as refresh

    try:
        refresh(task_result.args[0] if task_result.args else task_result.kwargs.get("job_id"))
    except Exception:  # noqa: BLE001 - a failed refresh must not mark the import as failed
        log.exception("Bound KPIs could not be refreshed after import")
