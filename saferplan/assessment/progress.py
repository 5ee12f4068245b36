"""The strategic assessment's progress, for the plan cycle's task list (see partnership.progress)."""
from __future__ import annotations

from saferplan.partnership.progress import COMPLETED, IN_PROGRESS, NOT_STARTED, Progress
from saferplan.wording import counted

from .models import Finding, ImportJob


def assessment_progress(partnership) -> Progress:
    """Not started until data is imported; done once findings are accepted and none wait for review."""
    imports = ImportJob.objects.filter(partnership=partnership, status=ImportJob.Status.SUCCEEDED)
    police = imports.filter(kind=ImportJob.Kind.POLICE).count()
    partner = imports.filter(kind=ImportJob.Kind.PARTNER).count()
    findings = Finding.objects.filter(partnership=partnership)
    accepted = findings.filter(status=Finding.Status.ACCEPTED).count()
    waiting = findings.filter(status=Finding.Status.DRAFTED).count()
    reasons = []
    if police or partner:
        reasons.append(f"Data imported: {counted(police, 'police.uk import')}, {counted(partner, 'partner data import')}")
    else:
        reasons.append("No crime or partner data has been imported yet")
    if findings.exists():
        reasons.append(f"Findings: {accepted:,} accepted, {waiting:,} waiting for review")
    if not (police or partner) and not findings.exists():
        return Progress(NOT_STARTED, reasons)
    if accepted and not waiting:
        return Progress(COMPLETED, reasons)
    return Progress(IN_PROGRESS, reasons)
