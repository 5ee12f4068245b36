"""The assessment part of the demo: 24 months of real Leicestershire police data, findings
drafted for 2024 and a few accepted, so that later stages have evidence to cite.

Safe to run again: months already in the store are not imported twice, and drafting never
changes a finding a person has reviewed.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from saferplan.partnership.models import RoleKind

from . import services
from .models import Finding, ImportJob
from saferplan.core.periods import Period

DEMO_PERIOD = "2024-01:2024-12"
# Kinds of finding the demo analyst accepts (the rest stay drafts for someone to review).
ACCEPT = ("overall", "asb", "concentration", "hotspot", "harm")


def police_folder() -> Path:
    return Path(settings.DATA_DIR) / "police-uk" / "leicestershire"


def load(partnership) -> None:
    folder = police_folder()
    if not folder.is_dir():
        print(f"Assessment demo skipped: no police data at {folder}")
        return
    _import(partnership, folder)
    result = services.draft_findings(partnership, Period.parse(DEMO_PERIOD))
    _accept(partnership)
    print(f"Assessment: findings for {DEMO_PERIOD} drafted ({result.created} new, {result.kept} already reviewed)")


def _import(partnership, folder: Path) -> None:
    services.ensure_snapshot()
    wanted = services.months_present([folder])
    with services.reading(None) as conn:
        held = {r[0] for r in conn.execute(
            "select month from import_file_seen where force = 'leicestershire'").fetchall()}
    if set(wanted) <= held:
        print(f"Assessment: police data for {len(wanted)} months already imported")
        return
    user = _analyst(partnership)
    # Public police.uk data, loaded once for every partnership as the operator would.
    job = ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.POLICE, created_by=user,
                                   sources=[str(folder)], from_server=True, shared=True)
    services.run_import(job.pk)
    job.refresh_from_db()
    if job.status != ImportJob.Status.SUCCEEDED:
        raise RuntimeError(f"the demo police import was refused: {job.error}")
    print(f"Assessment: imported {job.result['rows_read']:,} police records "
          f"({job.result['rows_in_area']:,} in {partnership.name})")


def _analyst(partnership):
    role = partnership.roles.filter(kind=RoleKind.ANALYST, person__user__isnull=False).select_related("person__user").first()
    return role.person.user if role else None


def _accept(partnership) -> None:
    user = _analyst(partnership)
    for finding in Finding.objects.filter(partnership=partnership, period=DEMO_PERIOD, kind__in=ACCEPT,
                                          status=Finding.Status.DRAFTED, edited_text=""):
        services.review_finding(finding, status=Finding.Status.ACCEPTED, text=finding.text,
                                note="Checked against the police.uk figures for the demo.", user=user)
