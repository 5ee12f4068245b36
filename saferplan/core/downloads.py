"""Files that leave the service: the one way to write a CSV or XLSX cell, to put text into a Word
or PDF document, and to answer a request with a download.

Names and places in an export come from people outside the analyst's control (a partner's
dataset name, a police location, a survey answer). A spreadsheet reads a cell that starts with
= + - @ (or a tab or carriage return before one) as a formula, so such a cell is written as text
with a leading apostrophe, the convention spreadsheets themselves use. Control characters are
not allowed in the XML inside XLSX and DOCX files (openpyxl and python-docx refuse them), so they
are dropped everywhere.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 allows tab, line feed and carriage return, and no other C0 control character, nor the
# two non-characters U+FFFE and U+FFFF; DEL and C1 controls are invisible and only ever harm.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: Any) -> str:
    """Text safe to put in a Word or PDF document (and in a file's properties)."""
    return CONTROL_CHARACTERS.sub("", "" if value is None else str(value))


def _defused(text: str) -> str:
    text = CONTROL_CHARACTERS.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: nothing for None, numbers as they are, text that cannot run."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _defused(value)
    return value


def xlsx_cell(value: Any) -> Any:
    """A value as an openpyxl cell: numbers, dates and None as they are, text that cannot run
    (openpyxl itself would store a string starting with = as a formula)."""
    if isinstance(value, str):
        return _defused(value)
    return value


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV file, every cell through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def attachment(content, filename: str, content_type: str | None = None):
    """Every file download, whatever it holds: bytes or text; a
    :class:`~saferplan.documents.document.Document`, rendered in the format the file name's
    extension names (``.pdf``, ``.docx``); or a stored file (an uploaded attachment), streamed as
    ``application/octet-stream`` so it can never run in the site's origin.

    Its type comes from its extension, its name is made safe in a header, and it carries
    ``Cache-Control: no-store`` (also set for every download by :class:`NoStoreMiddleware`) so
    no copy of personal data stays in a shared cache or the browser's disk cache."""
    from django.core.files import File
    from django.http import FileResponse, HttpResponse

    extension = filename.rsplit(".", 1)[-1].lower()
    if isinstance(content, File):
        response = FileResponse(content.open("rb"), content_type=content_type or "application/octet-stream")
    else:
        if not isinstance(content, (bytes, str)):
            content = render_document(content, extension)
        response = HttpResponse(content, content_type=content_type or CONTENT_TYPES[extension])
    # A file name never carries a quote, a line break, a path separator or non-ASCII into the header.
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", clean_text(filename)).strip("-.") or f"download.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Cache-Control"] = NO_STORE
    return response


NO_STORE = "no-store, private"


def render_document(document, fmt: str) -> bytes:
    """A document's file in ``fmt`` (``pdf`` or ``docx``)."""
    if fmt == "pdf":
        from saferplan.documents.pdf import render_pdf

        return render_pdf(document)
    if fmt == "docx":
        from saferplan.documents.word import render_docx

        return render_docx(document)
    raise ValueError(f"a document is written as pdf or docx, not {fmt!r}")


def preview(document):
    """A document shown in the browser as the HTML its PDF is printed from (not a download)."""
    from django.http import HttpResponse

    from saferplan.documents.pdf import render_html, style_hash

    response = HttpResponse(render_html(document), content_type="text/html; charset=utf-8")
    response._csp_update = {"style-src": [style_hash()]}  # read by django-csp's middleware
    return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response that may hold personal data or answers in
    progress: any response to a signed-in user, any page carrying a form (its CSRF token was
    used), any page that read or wrote the session (a survey part-answered) and every download.
    A public page that is the same for everyone stays cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._private(request, response) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        return response

    @staticmethod
    def _private(request, response) -> bool:
        from django.conf import settings

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        if response.get("Content-Disposition", "").startswith("attachment"):
            return True
        # A page that made a CSRF token has a form (Django's middleware sends the token's cookie
        # with it and clears its own flag before this middleware, the outer one, sees it).
        if settings.CSRF_COOKIE_NAME in response.cookies or request.method not in ("GET", "HEAD"):
            return True
        session = getattr(request, "session", None)
        return session is not None and (session.modified or (session.accessed and not session.is_empty()))
