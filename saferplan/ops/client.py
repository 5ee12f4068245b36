"""The address a request came from, for lockouts (django-axes) and rate limits (django-ratelimit).

Behind a load balancer every request arrives from the balancer's address, so one address would be
shared by the whole town: 60 consultation responses an hour for everyone, and five bad sign-ins by
anyone would lock out all staff. Each trusted proxy appends the address that connected to it to
X-Forwarded-For, so with N trusted proxies the client is the Nth entry from the right; anything
further left was written by the client and proves nothing.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if not proxies:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than trusted proxies: the request skipped the outer ones, and the leftmost
    # entry was still written by one we trust.
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _address(candidate) or remote
