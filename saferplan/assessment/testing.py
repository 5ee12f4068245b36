"""Test helpers for the strategic assessment, kept with the app as the other apps' are."""
from __future__ import annotations

from saferplan.partnership.models import RoleKind

from .models import Finding, ImportJob

_M, _A = RoleKind.MANAGER, RoleKind.ANALYST
EVERY_ROLE = frozenset(RoleKind)
PERIOD = "2024-01:2024-12"

# Who may GET each of this app's URLs: see tests/partnership/test_permissions.py for the rules.
ACCESS = {
    "assessment:index": EVERY_ROLE,
    "assessment:imports": {_M, _A},
    "assessment:import-police": {_M, _A},
    "assessment:boundaries": {_M},
    "assessment:import-server": "post-only-partnership",
    "assessment:import-partner": {_M, _A},
    "assessment:partner-mapping": {_M, _A},
    "assessment:import": {_M, _A},
    "assessment:import-status": {_M, _A},
    "assessment:import-confirm": "post-only-partnership",
    "assessment:import-retry": "post-only-partnership",
    "assessment:findings": EVERY_ROLE,
    "assessment:findings-draft": "post-only-partnership",
    "assessment:finding": EVERY_ROLE,
    "assessment:finding-review": {_M, _A},
    "assessment:harm-weights": EVERY_ROLE,
    "assessment:chart": EVERY_ROLE,
    "assessment:table-csv": EVERY_ROLE,
    "assessment:tables-zip": EVERY_ROLE,
    "assessment:report": EVERY_ROLE,
    "assessment:map-data": EVERY_ROLE,
}


def partner_job(partnership, folder, rows=None) -> ImportJob:
    """A partner upload waiting for its column mapping (file written to ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "partner.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("LSOA21CD,Month,Incident type,Incidents\n")
        for row in rows or [("E01025854", "2024-01", "Deliberate fires", 2)]:
            handle.write(",".join(str(v) for v in row) + "\n")
    return ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.PARTNER, dataset="Fire",
                                    sources=[path.name], upload_dir=str(folder),
                                    status=ImportJob.Status.AWAITING_MAPPING)


def url_kwargs(world) -> dict[str, dict]:
    """Arguments for this app's URLs in the permission test's world (its first partnership)."""
    import tempfile
    from pathlib import Path

    here = world["here"]
    _load_shared_police_months(PERIOD)
    finding = Finding.objects.create(partnership=here, period=PERIOD, key="overall", kind="overall",
                                     title="Recorded crime in Melton", text="Recorded crime fell.")
    job = partner_job(here, Path(tempfile.mkdtemp(prefix="saferplan-permission-")))
    return {
        "assessment:partner-mapping": {"pk": job.pk},
        "assessment:import": {"pk": job.pk},
        "assessment:import-status": {"pk": job.pk},
        "assessment:import-confirm": {"pk": job.pk},
        "assessment:import-retry": {"pk": job.pk},
        "assessment:finding": {"pk": finding.pk},
        "assessment:finding-review": {"pk": finding.pk},
        "assessment:chart": {"period": PERIOD, "key": "categories"},
        "assessment:table-csv": {"period": PERIOD, "key": "categories"},
        "assessment:tables-zip": {"period": PERIOD},
        "assessment:report": {"period": PERIOD, "fmt": "docx"},
        "assessment:map-data": {"period": PERIOD, "level": "lsoa"},
    }


def _load_shared_police_months(period: str) -> None:
    """The real Leicestershire files of ``period``, loaded as shared data (as the operator does):
    assessment pages answer 404 for a period with no data, so the permission test needs some."""
    from django.conf import settings

    from . import services
    from saferplan.core.periods import Period
    from .police import import_police

    folder = settings.DATA_DIR / "police-uk" / "leicestershire"
    files = [folder / f"{m:%Y-%m}-leicestershire-street.csv" for m in Period.parse(period).month_list()]
    with services.writing() as conn:
        held = conn.execute("select count(*) from import_log where kind = 'police' and owner is null").fetchone()[0]
        if not held:
            import_police(conn, files)
