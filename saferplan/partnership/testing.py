"""Short forms of the partnership's factories (``factories.py``) that most tests use, and who
may GET each of this app's URLs."""
from __future__ import annotations

import itertools

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .factories import PASSWORD, PartnershipFactory, PersonFactory, RoleFactory, UserFactory
from .models import Invitation, OrganisationKind, Partnership, RoleKind, User

_counter = itertools.count(1)


def make_partnership(name="Melton Community Safety Partnership", slug="melton", codes=("E07000133",)) -> Partnership:
    return PartnershipFactory(name=name, slug=slug, area_codes=list(codes))


def make_member(partnership, kind=RoleKind.MANAGER, organisation=None, email=None, password=PASSWORD) -> User:
    """A user who signs in, in the directory with one role. A partner officer acts for an
    organisation (the partnership's police unless one is given)."""
    n = next(_counter)
    email = email or f"{kind}.{n}@{partnership.slug}.example"
    user = UserFactory(email=email, password=password, full_name=f"{RoleKind(kind).label} {n}")
    if kind == RoleKind.PARTNER_OFFICER and organisation is None:
        organisation = partnership.organisations.filter(kind=OrganisationKind.POLICE).first()
    person = PersonFactory(partnership=partnership, full_name=user.full_name, email=email, user=user,
                           organisation=organisation or partnership.organisations.first())
    RoleFactory(person=person, kind=kind, organisation=organisation if kind == RoleKind.PARTNER_OFFICER else None)
    return user


def tiny_png(size=(120, 40), colour=(0, 94, 165)) -> bytes:
    """A small real PNG, made by Pillow, for logo tests."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def give_logo(partnership, png: bytes | None = None, alt="Melton Borough Council") -> None:
    from .branding import save_logo

    save_logo(partnership, png or tiny_png(), "image/png", alt)


def add_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in_verified(client, user) -> None:
    """Sign a test client in as if the user had passed both steps of sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# Who may GET each of this app's URLs: see tests/partnership/test_permissions.py for the rules.
_M, _A, _P, _B = RoleKind.MANAGER, RoleKind.ANALYST, RoleKind.PARTNER_OFFICER, RoleKind.BOARD_MEMBER
EVERY_ROLE = frozenset(RoleKind)
ACCESS = {
    "home": "special",
    "sign-in": "public",
    "sign-in-code": "public",
    "sign-out": "post-only",
    "account": "signed-in",
    "two-factor-set-up": "signed-in",  # with a second factor already: sent to the account page
    "recovery-codes": "post-only",
    "accept-invitation": "public",
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public",
    "password_reset_complete": "public",
    "password_change": "signed-in",
    "password_change_done": "signed-in",
    "accessibility": "public",
    "privacy": "public",
    "cookies": "public",
    "partnership:home": EVERY_ROLE,
    "partnership:stage": EVERY_ROLE,
    "partnership:about": EVERY_ROLE,
    "partnership:edit": {_M},
    "partnership:logo": {_M},
    "partnership-logo": "public",
    "partnership:history": {_M, _A, _B},
    "partnership:organisations": EVERY_ROLE,
    "partnership:organisation-add": {_M},
    "partnership:organisation": EVERY_ROLE,
    "partnership:organisation-edit": {_M, _P},  # the partner officer acts for this very organisation
    "partnership:organisation-remove": {_M},
    "partnership:people": EVERY_ROLE,
    "partnership:person-add": {_M},
    "partnership:person": EVERY_ROLE,
    "partnership:person-edit": {_M},
    "partnership:person-remove": {_M},
    "partnership:role-add": {_M},
    "partnership:role-remove": {_M},
    "partnership:sub-groups": EVERY_ROLE,
    "partnership:sub-group-add": {_M},
    "partnership:sub-group": EVERY_ROLE,
    "partnership:sub-group-edit": {_M},
    "partnership:sub-group-remove": {_M},
    "partnership:invitations": {_M},
    "partnership:invitation-revoke": "post-only-partnership",
}


def url_kwargs(world) -> dict[str, dict]:
    """Arguments for this app's URLs in the permission test's world (its first partnership)."""
    here, users = world["here"], world["users"]
    police = here.organisations.get(kind="police")
    manager_person = users[_M].people.get()
    role = users[_B].people.get().roles.get()
    invitation = Invitation(partnership=here, email="new@example.org", full_name="New Person", kind=_B)
    token = invitation.issue_token()
    invitation.save()
    group = world["group"]
    give_logo(here)
    return {
        "partnership:stage": {"stage": "consultation"},
        "partnership:organisation": {"pk": police.pk},
        "partnership:organisation-edit": {"pk": police.pk},
        "partnership:organisation-remove": {"pk": police.pk},
        "partnership:person": {"pk": manager_person.pk},
        "partnership:person-edit": {"pk": manager_person.pk},
        "partnership:person-remove": {"pk": manager_person.pk},
        "partnership:role-add": {"pk": manager_person.pk},
        "partnership:role-remove": {"pk": role.pk},
        "partnership:sub-group": {"pk": group.pk},
        "partnership:sub-group-edit": {"pk": group.pk},
        "partnership:sub-group-remove": {"pk": group.pk},
        "partnership:invitation-revoke": {"pk": invitation.pk},
        "accept-invitation": {"token": token},
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    }
