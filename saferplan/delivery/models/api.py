"""Tokens with which a partner's BI tool (Power BI, Excel) reads one partnership's delivery data
through the read API. Only a hash of each token is kept: the token itself is shown once, when a
manager issues it."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Partnership

TOKEN_PREFIX = "spt_"


class ApiScope(models.TextChoices):
    """What a token may read: a manager gives a tool only what it needs (a performance dashboard
    need not read the risk register or the JAG's problem locations)."""

    PLAN = "plan", "The plan, its actions and their quarterly returns"
    KPIS = "kpis", "KPIs and their values"
    RISKS = "risks", "The risk register"
    FUNDING = "funding", "Funding streams"
    JAG = "jag", "Problems tasked to the Joint Action Group"


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to guess from it.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("What the token is for", max_length=100,
                            help_text="For example, Police performance team Power BI")
    # The first characters of the token, so a person can tell which one a tool holds.
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    # ApiScope values; tokens issued before scopes existed were given every one (migration 0003).
    scopes = models.JSONField("What the token may read", default=list)
    # Written with a queryset update on each use, so using a token leaves no history entry.
    last_used_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"API token {self.prefix}… ({self.name})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_read(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def scope_labels(self) -> list[str]:
        return [label for value, label in ApiScope.choices if value in self.scopes]
