"""The strategic assessment report (PDF and Word, the staff and the publication versions) as the
job worker stores it (saferplan.documents.stored): rendering it takes one to three seconds of CPU,
long work that must not hold a web process. A download asks for the current version; while the
worker renders it the page says so, and the next download gets the file.

Key: ``assessment:<partnership id>:<first month>~<last month>:<pdf|docx>:<0|1 publication>``.
Only the partnership's own members reach the view that names a key, and the key names the
partnership, so one partnership's report is never another's.
"""
from __future__ import annotations

from saferplan.core.downloads import CONTENT_TYPES
from saferplan.documents import stored

from . import services


def key(partnership, period, fmt: str, publish: bool) -> str:
    return f"assessment:{partnership.pk}:{str(period).replace(':', '~')}:{fmt}:{int(publish)}"


def _parts(key: str):
    from saferplan.core.periods import Period
    from saferplan.partnership.models import Partnership

    _, pk, period, fmt, publish = key.split(":")
    return Partnership.objects.get(pk=int(pk)), Period.parse(period.replace("~", ":")), fmt, publish == "1"


def _version(key: str) -> str:
    return stored.digest(key, *services.report_inputs(*_parts(key)))


def _render(key: str) -> stored.Rendered:
    partnership, period, fmt, publish = _parts(key)
    content, filename = services.document(partnership, period, fmt, publish)
    return stored.Rendered(content, filename, CONTENT_TYPES[fmt])


stored.register("assessment", stored.DocumentKind(version=_version, render=_render))


def published_keys() -> list[str]:
    """None: the reports are staff downloads, rendered when someone asks for one."""
    return []
