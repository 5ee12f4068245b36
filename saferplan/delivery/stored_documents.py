"""The board's quarterly performance report (PDF and Word) as the job worker stores it
(saferplan.documents.stored): rendering it takes one to two seconds of CPU, long work that must
not hold a web process. Its version is the digest of the document as data, which is cheap to
build. Key: ``board-report:<partnership id>:<quarter, 2025-26-Q2>:<pdf|docx>``."""
from __future__ import annotations

from django.utils.text import slugify

from saferplan.core.periods import Quarter
from saferplan.documents import stored

from .services import reports


def key(partnership, quarter: Quarter, fmt: str) -> str:
    return f"board-report:{partnership.pk}:{quarter.slug}:{fmt}"


def _build(key: str):
    from saferplan.partnership.models import Partnership

    _, pk, quarter, fmt = key.split(":")
    partnership = Partnership.objects.get(pk=int(pk))
    q = Quarter.parse(quarter)
    document = reports.document(reports.gather(partnership, q))
    return document, f"{slugify(partnership.name)}-board-report-{q.slug}.{fmt}"


stored.register("board-report", stored.built_kind(_build))


def published_keys() -> list[str]:
    """None: the board report is a staff download, rendered when someone asks for one."""
    return []
