"""Per-partnership tokens for the read API: issued and revoked by the manager (each change kept
in the audit history), shown once, kept only as a hash, and stamped when last used."""
from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import ApiScope, ApiToken
from ..models.api import TOKEN_PREFIX, token_hash


def issue(partnership, name: str, user=None, *, scopes) -> tuple[ApiToken, str]:
    """A new token and its secret: the secret is returned this once and never stored. ``scopes``
    (ApiScope values) is what it may read, named by whoever issues it: there is no default."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Say what the token is for, so it can be told apart and revoked later"
    known = [value for value, _ in ApiScope.choices]
    if not scopes or any(scope not in known for scope in scopes):
        errors["scopes"] = "Choose what the token may read"
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(partnership=partnership, name=name, prefix=secret[:10], key_hash=token_hash(secret),
                     scopes=[value for value in known if value in scopes],
                     created_by=user if getattr(user, "pk", None) else None)
    token._change_reason = "API token issued"
    token.save()
    return token, secret


@transaction.atomic
def revoke(token: ApiToken, user=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = user if getattr(user, "pk", None) else None
        token._change_reason = "API token revoked"
        token.save()
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret (its partnership loaded), stamped as used; None otherwise."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (ApiToken.objects.select_related("partnership")
             .filter(key_hash=token_hash(secret), revoked_at__isnull=True).first())
    if token is not None:
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(partnership):
    return ApiToken.objects.filter(partnership=partnership).select_related("created_by", "revoked_by")
