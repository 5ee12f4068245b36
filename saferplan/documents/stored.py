"""Documents rendered by the job worker and served as stored.

Rendering a plan's PDF costs about a second of CPU; a web process must not spend it for every
reader of a public page. A document is named by a key (``plan:12:pdf``) and a version, a digest
of its inputs that its kind works out cheaply; the worker renders each (key, version) once into
the file store (``var/documents``: one folder for every web process and worker, on a shared
volume when they run on several machines; not in the backup, a missing file is rendered again),
and a download reads the bytes of the current version. When the version has not been rendered
yet the download enqueues it and says the document is being prepared.

A kind registers a ``DocumentKind``: how to work out its version and how to render it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from saferplan.ops import jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class DocumentKind:
    version: Callable[[str], str]  # key -> digest of the inputs
    render: Callable[[str], Rendered]  # key -> the document


# Kinds by the key's first part; each module registers its own with ``register``.
KINDS: dict[str, DocumentKind] = {}
# Modules that register kinds, imported when a kind is first needed (not at start-up: the
# documents package must not import every stage).
KIND_MODULES = ["saferplan.planning.stored_documents", "saferplan.assessment.stored_documents",
                "saferplan.delivery.stored_documents", "saferplan.consultation.stored_documents"]


def register(prefix: str, kind: DocumentKind) -> None:
    KINDS[prefix] = kind


def content_digest(document) -> str:
    """The digest of everything a :class:`~saferplan.documents.document.Document` says (text,
    tables, chart specifications, logo): it changes exactly when the file would. Anything in it
    that cannot be written down plainly is refused, never digested by its address in memory (a
    version that changed on every request would render the document for ever)."""
    def plain(value):
        if isinstance(value, (date, datetime, Decimal)):
            return str(value)
        if isinstance(value, bytes):
            return hashlib.sha256(value).hexdigest()
        raise TypeError(f"a {type(value).__name__} in a document cannot be digested")

    return digest(json.dumps(dataclasses.asdict(document), sort_keys=True, default=plain))


def built_kind(build: Callable[[str], tuple[object, str]]) -> DocumentKind:
    """A kind whose document is cheap to build as data and slow to render: ``build(key)`` gives
    the Document and its file name (whose extension is the format); the version is the digest
    of what the Document says, so no list of inputs has to be kept up to date."""
    from saferplan.core.downloads import CONTENT_TYPES, render_document

    def version(key: str) -> str:
        document, filename = build(key)
        return digest(key, filename, content_digest(document))

    def render(key: str) -> Rendered:
        document, filename = build(key)
        fmt = filename.rsplit(".", 1)[-1]
        return Rendered(render_document(document, fmt), filename, CONTENT_TYPES[fmt])

    return DocumentKind(version=version, render=render)


def kind_of(key: str) -> DocumentKind:
    if not KINDS:
        for module in KIND_MODULES:
            import_module(module)
    return KINDS[key.split(":", 1)[0]]


def store_root() -> Path:
    return Path(getattr(settings, "DOCUMENT_STORE_DIR", Path(settings.VAR_DIR) / "documents"))


def digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def current(key: str):
    """The stored document for the key's current inputs, ready or on its way (queued if none)."""
    from saferplan.ops.models import StoredDocument

    version = kind_of(key).version(key)
    stored = StoredDocument.objects.filter(key=key, version=version).first()
    if stored is None:
        stored = _queue(key, version)
    elif stored.stalled or (stored.status == StoredDocument.Status.FAILED
                            and timezone.now() - stored.finished_at > RETRY_FAILED_AFTER):
        if stored.stalled:
            jobs.requeue(stored, "Being prepared again")
        else:
            StoredDocument.objects.filter(pk=stored.pk, status=StoredDocument.Status.FAILED).update(
                status=StoredDocument.Status.QUEUED, message="Being prepared again", updated_at=timezone.now())
        _enqueue(stored.pk)
        stored.refresh_from_db()
    return stored


RETRY_AFTER_SECONDS = 5
# A document that failed to render is tried again by a request after this long, not by every one.
RETRY_FAILED_AFTER = timedelta(minutes=1)


def response(request, key: str, *, title: str, back_url: str = "", back_text: str = "",
             base_template: str = "public/base.html", context: dict | None = None):
    """A download of the stored document: its bytes if its current version is ready, or a page
    saying it is being prepared (202, with Retry-After) while the worker renders it."""
    from django.shortcuts import render as render_page

    from saferplan.core.downloads import attachment

    stored = current(key)
    if stored.status == stored.Status.READY:
        content = read(stored)
        if content is not None:
            return attachment(content, stored.filename, stored.content_type)
        # The file went (a restore, a cleared volume): render it again.
        type(stored).objects.filter(pk=stored.pk).delete()
        stored = current(key)
        if stored.status == stored.Status.READY and (content := read(stored)) is not None:
            return attachment(content, stored.filename, stored.content_type)
    page = render_page(request, "documents/preparing.html", {
        "title": title, "stored": stored, "back_url": back_url, "back_text": back_text,
        "base_template": base_template, **(context or {})}, status=202)
    page["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return page


def read(stored) -> bytes | None:
    """The bytes of a ready document, or None if its file has gone (the caller asks again)."""
    try:
        return (store_root() / stored.path).read_bytes()
    except (FileNotFoundError, ValueError):
        return None


def _queue(key: str, version: str):
    from saferplan.ops.models import StoredDocument

    try:
        with transaction.atomic():
            stored = StoredDocument.objects.create(key=key, version=version, content_type="", filename="")
    except IntegrityError:  # another request queued it first
        return StoredDocument.objects.get(key=key, version=version)
    _enqueue(stored.pk)
    stored.refresh_from_db()
    return stored


def _enqueue(pk: int) -> None:
    from .tasks import render_document

    # The queue is a table of the same database: the worker sees the task when the row is committed.
    render_document.enqueue(pk)


def render(stored_id: int) -> None:
    """The worker's task: render the document and write it to the store under a temporary name,
    then move it into place, so that a reader never sees half a file."""
    from saferplan.ops.models import StoredDocument

    if not jobs.claim(StoredDocument, stored_id, "Rendering"):
        return
    stored = StoredDocument.objects.get(pk=stored_id)
    with jobs.running(stored):
        try:
            document = kind_of(stored.key).render(stored.key)
            extension = document.filename.rsplit(".", 1)[-1].lower()
            relative = f"{stored.version[:2]}/{digest(stored.key, stored.version)}.{extension}"
            target = store_root() / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
            partial.write_bytes(document.content)
            os.replace(partial, target)
            kept = StoredDocument.objects.filter(pk=stored.pk, status=StoredDocument.Status.RUNNING).update(
                status=StoredDocument.Status.READY, path=relative, filename=document.filename,
                content_type=document.content_type, size=len(document.content), message="Ready",
                finished_at=timezone.now())
            if not kept:  # forgotten while it rendered (its survey's personal data purged): no file stays
                target.unlink(missing_ok=True)
                return
            _remove_older_versions(stored)
        except Exception as exc:  # noqa: BLE001 - the job ends, the next request tries again
            log.exception("document %s (%s) could not be rendered", stored.key, stored.version)
            StoredDocument.objects.filter(pk=stored.pk).update(
                status=StoredDocument.Status.FAILED, message=f"Could not be prepared ({type(exc).__name__})",
                finished_at=timezone.now())


def _remove_older_versions(stored) -> None:
    """Older versions of the same document go, files and rows (one version is served at a time)."""
    from saferplan.ops.models import StoredDocument

    for old in StoredDocument.objects.filter(key=stored.key).exclude(pk=stored.pk).exclude(
            status__in=[StoredDocument.Status.QUEUED, StoredDocument.Status.RUNNING]):
        if old.path:
            (store_root() / old.path).unlink(missing_ok=True)
        old.delete()


def forget(key_prefix: str) -> int:
    """Delete every stored document whose key starts so, files and rows, whatever their state:
    what a document holds must go when its sources' personal data goes. How many went."""
    from saferplan.ops.models import StoredDocument

    found = list(StoredDocument.objects.filter(key__startswith=key_prefix))
    for old in found:
        if old.path:
            (store_root() / old.path).unlink(missing_ok=True)
    StoredDocument.objects.filter(pk__in=[old.pk for old in found]).delete()
    return len(found)


def prepare(keys: list[str]) -> int:
    """Make sure each document's current version is stored or on its way; how many were queued."""
    queued = 0
    for key in keys:
        stored = current(key)
        queued += stored.status != stored.Status.READY
    return queued
