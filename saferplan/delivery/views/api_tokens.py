"""The manager's page of read-API tokens: issue one (its secret shown once, on the answer to the
form, never again), see when each was last used, and revoke it."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from ..forms import ApiTokenForm
from ..models import ApiToken
from ..services import api_tokens
from .base import DeliveryMixin, done, post_only, url


class ApiTokens(DeliveryMixin, View):
    capability = "manage_api_tokens"
    nav = "api"

    def page(self, form, secret=None, issued=None, status=200):
        return render(self.request, "delivery/api_tokens.html", self.context(
            form=form, secret=secret, issued=issued, tokens=api_tokens.tokens_of(self.partnership),
            schema_url=self.request.build_absolute_uri(reverse("api:openapi-json")),
            api_root=self.request.build_absolute_uri(reverse("api:api-root"))), status=status)

    def get(self, request, *args, **kwargs):
        return self.page(ApiTokenForm())

    def post(self, request, *args, **kwargs):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = api_tokens.issue(self.partnership, form.cleaned_data["name"], request.user,
                                                 scopes=form.cleaned_data["scopes"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error(field, messages)
            else:
                # Shown on this answer only (not after a redirect): the secret is kept nowhere, and
                # no page to a signed-in person is stored by the browser (core.downloads).
                return self.page(ApiTokenForm(), secret=secret, issued=token)
        return self.page(form)


class ApiTokenRevoke(DeliveryMixin, View):
    capability = "manage_api_tokens"

    def get(self, request, *args, **kwargs):
        return post_only(request, url("api-tokens", self.partnership), "Go to the read API tokens")

    def post(self, request, *args, **kwargs):
        token = get_object_or_404(ApiToken, partnership=self.partnership, pk=kwargs["pk"])
        api_tokens.revoke(token, request.user)
        done(request, f"The token “{token.name}” has been revoked: tools using it can no longer read the data.")
        return redirect(url("api-tokens", self.partnership))
