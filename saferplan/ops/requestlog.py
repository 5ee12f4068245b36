"""Structured logs: every line of a request carries its request id, partnership and user.

The request id comes from the proxy (X-Request-ID, when it looks like one) or is made here, and is
returned as a response header so that a person reporting a problem can quote it. Paths are logged
as their route pattern, never as typed: invitation and password-reset addresses carry tokens.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

REQUEST_ID_HEADER = "X-Request-ID"
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("saferplan_request", default={})
access_log = logging.getLogger("saferplan.requests")


class RequestContextFilter(logging.Filter):
    """Puts the current request's id, partnership and user on every log record, and takes the
    typed path out of Django's own lines about a request ("Not Found: /invitation/<token>/"):
    they name the route pattern instead, as the request log does."""

    def filter(self, record):
        context = _context.get()
        record.request_id = context.get("request_id", "-")
        record.partnership = context.get("partnership")
        record.user_id = context.get("user_id")
        request = getattr(record, "request", None)
        path = getattr(request, "path", "")
        if path and path != "/":
            match = getattr(request, "resolver_match", None)
            message = record.getMessage()
            if path in message:
                record.msg = message.replace(path, f"route {match.route}" if match else "an address with no route")
                record.args = ()
        return True


class JSONFormatter(logging.Formatter):
    FIELDS = ("request_id", "partnership", "user_id", "method", "route", "status", "duration_ms")

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            value = getattr(record, field, None)
            if value is not None and value != "-":
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        context = {"request_id": request_id}
        token = _context.set(context)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            _note_user(request, context)  # also someone who signed in during this request
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "%s %s %s", request.method, match.route if match else "-", response.status_code,
                extra={
                    "method": request.method,
                    "route": match.route if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _context.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Known once the address is resolved; the user once authentication has run (it has,
        # by the time views are called).
        context = _context.get()
        match = request.resolver_match
        # Staff pages name the partnership as /p/<slug>/, public pages as <partnership>.
        slug = view_kwargs.get("partnership") or (view_kwargs.get("slug") if match.route.startswith("p/") else None)
        if slug:
            context["partnership"] = slug
        _note_user(request, context)
        return None


def _note_user(request, context: dict) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["user_id"] = user.pk
