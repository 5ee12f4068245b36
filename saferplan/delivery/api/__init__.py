"""The read API for partners' BI tools (Power BI, Excel): read-only JSON over the plan in
delivery, its actions, returns, KPIs and values, risks, funding and JAG problems, with an OpenAPI
schema at /api/v1/openapi.json. Built on Django Ninja (docs/adr/00NN-delivery-read-api.md).

Each request carries a partnership's token (``Authorization: Bearer spt_...``): the token is the
partnership, so one partnership's token never reads another's records. Requests are rate limited
per token in the shared cache, so every web process counts the same requests."""
from __future__ import annotations

from django.conf import settings
from ninja import NinjaAPI
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from saferplan.core.downloads import NO_STORE

from ..services import api_tokens

DESCRIPTION = """Read-only data of one Community Safety Partnership's plan in delivery. Send the token
a manager issued on the partnership's *Read API tokens* page as `Authorization: Bearer <token>`.
A token reads only what it was issued for (the plan with its actions and returns, KPIs, risks,
funding, JAG problems); anything else answers 403.
Money is a string of pounds and pence; quarters are financial-year quarters (`2025-26-Q2` is July
to September 2025). Records marked `example: true` are made-up example data. Nothing here holds
personal data about residents."""


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        return api_tokens.authenticate(token)


class TokenThrottle(AuthRateThrottle):
    """Per token (by its id, not its text), in the shared cache."""

    def get_cache_key(self, request):
        return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}


class ReadAPI(NinjaAPI):
    def create_response(self, request, data, **kwargs):
        response = super().create_response(request, data, **kwargs)
        # A partnership's data: no shared cache or browser keeps it (the caller is not signed in,
        # so the site's no-store middleware would not know).
        response["Cache-Control"] = NO_STORE
        return response


api = ReadAPI(
    title="Saferplan delivery read API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Swagger UI loads scripts from a CDN that the Content Security Policy rightly blocks, and is
    # not accessible; the schema itself is what BI tools and people need.
    docs_url=None,
    auth=TokenAuth(),
    throttle=[TokenThrottle(getattr(settings, "SAFERPLAN_API_RATE", "120/m"))],
)

from . import endpoints  # noqa: E402,F401  (registers the operations)
