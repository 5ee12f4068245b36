"""Sign-in rules that a browser test would be slow to cover: lockout, resets, invitations, settings."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse

from saferplan.partnership.models import Invitation, Person, Role, RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership, sign_in_verified

pytestmark = pytest.mark.django_db


def _sign_in(client, email, password):
    return client.post(reverse("sign-in"), {"email": email, "password": password})


def test_password_alone_does_not_sign_in_someone_with_a_second_factor(client):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    add_totp(user)
    response = _sign_in(client, user.email, PASSWORD)
    assert response["Location"] == reverse("sign-in-code")
    assert client.get(reverse("partnership:home", kwargs={"slug": "melton"})).status_code == 302


def test_repeated_wrong_codes_are_throttled_with_a_clear_message(client):
    from django.utils import timezone


    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    device = add_totp(user)
    _sign_in(client, user.email, PASSWORD)
    # As if four wrong codes had just been tried: the device now waits 8 seconds before checking.
    device.throttling_failure_count = 4
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    from django_otp.oath import totp

    right = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("sign-in-code"), {"code": right})
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_says_so_without_saying_which_part_was_wrong(client):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    response = _sign_in(client, user.email, "wrong password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    unknown = _sign_in(client, "nobody@example.org", "wrong password")
    assert "Enter a correct email address and password" in unknown.content.decode()


def test_five_failures_lock_the_account_even_with_the_right_password(client):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    for _ in range(5):
        _sign_in(client, user.email, "wrong password")
    response = _sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email_with_a_working_link(client):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"https?://[^/]+(/password-reset/\S+)", mail.outbox[0].body).group(1)
    follow = client.get(link, follow=True)
    assert "Choose a new password" in follow.content.decode()
    new = "a-much-better-passphrase-2026"
    done = client.post(follow.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_invitation_creates_an_account_with_the_role(client, django_capture_on_commit_callbacks):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, manager)
    police = partnership.organisations.get(kind="police")
    # The email goes only once the invitation is committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partnership:invitations", kwargs={"slug": partnership.slug}),
            {"full_name": "Jo Bloggs", "email": "Jo.Bloggs@Police.example", "kind": "partner_officer", "organisation": police.pk},
        )
        assert response.status_code == 302
        assert not mail.outbox
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/]+(/invitation/\S+/)", mail.outbox[0].body).group(1)
    client.logout()
    weak = client.post(path, {"full_name": "Jo Bloggs", "password": "password"})
    assert "This password is too short" in weak.content.decode()
    assert client.post(path, {"full_name": "Jo Bloggs", "password": "an-excellent-passphrase"}).status_code == 302
    role = Role.objects.get(person__email="jo.bloggs@police.example")
    assert role.kind == RoleKind.PARTNER_OFFICER and role.organisation == police
    # The link works once.
    client.logout()
    assert client.get(path).status_code == 404
    assert Invitation.objects.get().accepted_at is not None


def test_invitation_needs_an_organisation_for_a_partner_officer(client):
    partnership = make_partnership()
    sign_in_verified(client, make_member(partnership, RoleKind.MANAGER))
    response = client.post(
        reverse("partnership:invitations", kwargs={"slug": partnership.slug}),
        {"full_name": "Jo Bloggs", "email": "jo@example.org", "kind": "partner_officer"},
    )
    page = response.content.decode()
    assert "Select the organisation this partner officer acts for" in page
    assert 'value="jo@example.org"' in page  # what was typed is kept
    assert not Invitation.objects.exists() and not mail.outbox


def test_the_only_manager_cannot_lose_the_role(client):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, manager)
    role = Role.objects.get(person__user=manager)
    response = client.post(reverse("partnership:role-remove", kwargs={"slug": partnership.slug, "pk": role.pk}))
    assert "only manager" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


def test_audit_history_names_who_changed_what(client):
    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, manager)
    person = Person.objects.get(user=manager)
    url = reverse("partnership:person-edit", kwargs={"slug": partnership.slug, "pk": person.pk})
    client.post(url, {"full_name": person.full_name, "email": person.email, "job_title": "Head of Community Safety", "organisation": person.organisation_id})
    page = client.get(person.get_absolute_url()).content.decode()
    history = page[page.index('id="history"'):]
    assert "Job title" in history and "Head of Community Safety" in history and manager.full_name in history


def test_production_settings_pass_the_deploy_check():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env |= {"SAFERPLAN_ENV": "production", "DJANGO_SECRET_KEY": "Zq9xT4pL2vB7mN5cR8wK3jH6gF1dS0aQ-" * 2, "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DJANGO_SETTINGS_MODULE": "saferplan.settings"}
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_send_security_headers(client):
    response = client.get(reverse("sign-in"))
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
