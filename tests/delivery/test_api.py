"""The read API for partners' BI tools: a partnership's token reads that partnership alone, only
reads, is kept hashed, is shown once, can be revoked, and is rate limited."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from saferplan.delivery.api import api
from saferplan.delivery.models import ApiScope, ApiToken, Risk
from saferplan.delivery.services import api_tokens, funding
from saferplan.delivery.testing import make_delivery
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

pytestmark = pytest.mark.django_db

EVERY_SCOPE = [scope for scope, _ in ApiScope.choices]
OPERATIONS = {"plan": "plan", "actions": "plan", "returns": "plan", "kpis": "kpis", "risks": "risks",
              "funding": "funding", "jag-problems": "jag"}


@pytest.fixture
def two(partnership):
    """Melton and Coventry, each delivering a plan, each with a token."""
    coventry = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    made = {"melton": make_delivery(partnership), "coventry": make_delivery(coventry)}
    Risk.objects.filter(partnership=coventry).update(title="Coventry's own risk")
    tokens = {"melton": api_tokens.issue(partnership, "Melton BI", scopes=EVERY_SCOPE)[1],
              "coventry": api_tokens.issue(coventry, "Coventry BI", scopes=EVERY_SCOPE)[1]}
    return {"melton": partnership, "coventry": coventry, "made": made, "tokens": tokens}


def call(client, name, token, **query):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(reverse(f"api:{name}"), query, **headers)


def test_a_token_reads_its_own_partnership_only(client, two):
    melton = call(client, "risks", two["tokens"]["melton"]).json()
    coventry = call(client, "risks", two["tokens"]["coventry"]).json()
    assert [r["title"] for r in melton] == ["Lack of resource"]
    assert [r["title"] for r in coventry] == ["Coventry's own risk"]
    ids = {r["id"] for r in melton}
    assert not ids & {r["id"] for r in coventry}
    returns = call(client, "returns", two["tokens"]["coventry"]).json()
    assert {r["id"] for r in returns} == {two["made"]["coventry"]["return"].pk}


def test_the_figures_are_the_services_figures(client, two):
    made = two["made"]["melton"]
    [stream] = call(client, "funding", two["tokens"]["melton"]).json()
    summary = funding.summary(made["stream"])
    assert stream["amount"] == "106460.00" and stream["spent"] == "2500.50"
    assert Decimal(stream["remaining"]) == summary.remaining == Decimal("106460.00") - Decimal("2500.50")
    [risk] = call(client, "risks", two["tokens"]["melton"]).json()
    # Melton's matrix: likelihood 3 (Low) x impact 2 (Marginal) is a Low Risk, as the seed rates it.
    assert (risk["likelihood"], risk["impact"], risk["rating"]) == ("3", "2", "Low Risk")
    [kpi] = call(client, "kpis", two["tokens"]["melton"]).json()
    assert [v["value"] for v in kpi["values"]] == ["298.00", "290.00", "299.00", "330.00"]
    assert kpi["rag"] in ("red", "amber", "green") and "Rule:" in kpi["rag_reason"]
    actions = call(client, "actions", two["tokens"]["melton"]).json()
    patrols = next(a for a in actions if a["title"] == "Town centre patrols")
    assert patrols["latest_quarter"] == made["round"].quarter and patrols["rag"] == made["return"].rag


def test_no_token_a_wrong_one_or_a_revoked_one_reads_nothing(client, two, manager):
    assert call(client, "plan", None).status_code == 401
    assert call(client, "plan", "spt_not-a-real-token").status_code == 401
    sign_in_verified(client, manager)  # a session is not a token
    assert call(client, "plan", None).status_code == 401
    client.logout()
    token = ApiToken.objects.get(name="Melton BI")
    api_tokens.revoke(token, manager)
    assert call(client, "plan", two["tokens"]["melton"]).status_code == 401
    assert call(client, "plan", two["tokens"]["coventry"]).status_code == 200


def test_read_only(client, two):
    path = reverse("api:risks")
    answer = client.post(path, {}, HTTP_AUTHORIZATION=f"Bearer {two['tokens']['melton']}")
    assert answer.status_code == 405
    assert Risk.objects.filter(partnership=two["melton"]).count() == 1


def test_tokens_are_hashed_at_rest_and_stamped_when_used(client, two):
    secret = two["tokens"]["melton"]
    token = ApiToken.objects.get(name="Melton BI")
    assert token.key_hash != secret and secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert secret not in json.dumps(list(ApiToken.history.values()), default=str)
    assert token.last_used_at is None
    call(client, "plan", secret)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert call(client, "plan", secret)["Cache-Control"] == "no-store, private"


def test_no_resident_or_person_appears(client, two):
    """Returns name the organisation that reported, never the person (nor their email)."""
    from saferplan.partnership.models import User

    body = "".join(call(client, name, two["tokens"]["melton"]).content.decode()
                   for name in ("plan", "actions", "returns", "kpis", "risks", "funding", "jag-problems"))
    for user in User.objects.all():
        assert user.email not in body


def test_rate_limited_per_token(client, two, monkeypatch):
    [throttle] = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 3)
    answers = [call(client, "plan", two["tokens"]["melton"]).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # Another partnership's token has its own count.
    assert call(client, "plan", two["tokens"]["coventry"]).status_code == 200


def test_openapi_schema_documents_every_operation(client):
    schema = client.get(reverse("api:openapi-json")).json()
    assert {"/api/v1/plan", "/api/v1/actions", "/api/v1/returns", "/api/v1/kpis", "/api/v1/risks",
            "/api/v1/funding", "/api/v1/jag-problems"} <= set(schema["paths"])
    assert all(set(ops) == {"get"} for ops in schema["paths"].values())
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_manager_issues_a_token_seen_once_and_revokes_it(client, partnership, manager):
    sign_in_verified(client, manager)
    path = reverse("delivery:api-tokens", kwargs={"slug": partnership.slug})
    refused = client.post(path, {"name": "", "scopes": ["kpis"]})
    assert "Say what the token is for" in refused.content.decode()
    # Nothing chosen to read: refused, and what was typed is kept.
    refused = client.post(path, {"name": "Fire service dashboard"}).content.decode()
    assert "Choose what the token may read" in refused and 'value="Fire service dashboard"' in refused
    assert not ApiToken.objects.exists()
    answer = client.post(path, {"name": "Fire service dashboard", "scopes": ["kpis", "plan"]})
    page = answer.content.decode()
    token = ApiToken.objects.get(name="Fire service dashboard")
    assert token.scopes == ["plan", "kpis"]
    assert "KPIs and their values" in page and "The risk register" not in page.split("Issue a token")[0]
    start = page.index('value="spt_') + len('value="')
    secret = page[start:page.index('"', start)]
    assert api_tokens.authenticate(secret) == token
    assert secret not in client.get(path).content.decode()
    client.post(reverse("delivery:api-token-revoke", kwargs={"slug": partnership.slug, "pk": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None and api_tokens.authenticate(secret) is None
    assert [h.history_change_reason for h in token.history.order_by("history_date")] == [
        "API token issued", "API token revoked"]


def test_a_partner_officer_cannot_issue_tokens(client, partnership):
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER)
    sign_in_verified(client, officer)
    answer = client.post(reverse("delivery:api-tokens", kwargs={"slug": partnership.slug}), {"name": "Mine"})
    assert answer.status_code == 403 and not ApiToken.objects.exists()


def test_a_token_reads_only_what_it_was_issued_for(client, partnership):
    make_delivery(partnership)
    _, secret = api_tokens.issue(partnership, "Performance dashboard", scopes=["kpis"])
    answers = {name: call(client, name, secret) for name in OPERATIONS}
    assert {name for name, answer in answers.items() if answer.status_code == 200} == {"kpis"}
    assert {answer.status_code for name, answer in answers.items() if name != "kpis"} == {403}
    assert "may not read the risk register" in answers["risks"].json()["detail"]
    # One scope, its operations: the plan's scope reads the plan, its actions and its returns.
    _, plan_only = api_tokens.issue(partnership, "Action tracker", scopes=["plan"])
    assert {name for name in OPERATIONS if call(client, name, plan_only).status_code == 200} == {"plan", "actions", "returns"}


def test_a_token_must_be_issued_to_read_something_known(partnership):
    from django.core.exceptions import ValidationError

    for scopes in ([], ["everything"], ["kpis", "residents"]):
        with pytest.raises(ValidationError) as refused:
            api_tokens.issue(partnership, "Dashboard", scopes=scopes)
        assert refused.value.message_dict["scopes"] == ["Choose what the token may read"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_scopes_keep_reading_everything(partnership):
    """Migration 0003 gives tokens that existed every scope: revoking access is the manager's choice."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("delivery", "0002_jag_reviews_scrutiny_api_tokens")], [("delivery", "0003_api_token_scopes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("delivery", "ApiToken")
        old.objects.create(partnership_id=partnership.pk, name="Old BI", prefix="spt_old", key_hash="0" * 64)
        executor.loader.build_graph()
    finally:
        MigrationExecutor(connection).migrate(after)
    assert ApiToken.objects.get(name="Old BI").scopes == EVERY_SCOPE
