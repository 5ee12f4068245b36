"""Password-reset links are throttled per address and per client, and the page never tells whether
an address has an account or has been throttled."""
from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership


def _ask(client, email, ip="192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_twenty_five_requests_for_one_address_send_at_most_three_links(client, db):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    responses = [_ask(client, user.email if n % 2 else user.email.upper()) for n in range(25)]
    assert len(mail.outbox) == 3
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {reverse("password_reset_done")}


def test_the_address_is_counted_across_clients(client, db):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    for n in range(6):
        _ask(client, user.email, ip=f"198.51.100.{n}")
    assert len(mail.outbox) == 3


def test_one_client_cannot_walk_a_list_of_addresses(client, db):
    partnership = make_partnership()
    users = [make_member(partnership, RoleKind.BOARD_MEMBER) for _ in range(12)]
    for user in users:
        _ask(client, user.email, ip="203.0.113.7")
    assert len(mail.outbox) == 10
    # Someone else, elsewhere, is not held up by it.
    _ask(client, users[-1].email, ip="203.0.113.99")
    assert len(mail.outbox) == 11


def test_the_page_says_the_same_whether_or_not_the_address_has_an_account(client, db):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    known = _ask(client, user.email)
    unknown = _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    page = client.get(known["Location"]).content.decode()
    assert "If the address you entered has an account" in page
    assert len(mail.outbox) == 1


def test_the_counter_lives_in_the_shared_cache_not_in_the_web_process(client, db):
    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    for _ in range(4):
        _ask(client, user.email)
    assert len(mail.outbox) == 3
    # Emptying the shared cache (what every web process reads) is the only thing that resets it.
    caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].clear()
    _ask(client, user.email)
    assert len(mail.outbox) == 4
