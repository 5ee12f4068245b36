"""What delivery reads from the assessment stage: which partnerships an import concerns."""
from __future__ import annotations


def partnerships_of_import(job_id) -> list | None:
    """The partnership whose import it was, or None for the operator's shared import (everyone's);
    an empty list if the import did not succeed."""
    from saferplan.assessment.models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).select_related("partnership").first()
    if job is None or job.status != ImportJob.Status.SUCCEEDED:
        return []
    return None if job.shared else [job.partnership]
