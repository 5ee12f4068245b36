"""Test factories for partnerships and their members (kept with the app, as the other apps' are)."""
from __future__ import annotations

import itertools

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Organisation, OrganisationKind, Partnership, Person, Role, RoleKind, User

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_partnership(name="Melton Community Safety Partnership", slug="melton", codes=("E07000133",)) -> Partnership:
    partnership = Partnership.objects.create(
        name=name, slug=slug, area_codes=list(codes), police_forces=["Leicestershire Police"]
    )
    Organisation.objects.create(partnership=partnership, name=f"{name} council", kind=OrganisationKind.DISTRICT_COUNCIL)
    Organisation.objects.create(partnership=partnership, name=f"{name} police", kind=OrganisationKind.POLICE)
    return partnership


def make_member(partnership, kind=RoleKind.MANAGER, organisation=None, email=None, password=PASSWORD) -> User:
    n = next(_counter)
    email = email or f"{kind}.{n}@{partnership.slug}.example"
    user = User.objects.create_user(email, password, full_name=f"{RoleKind(kind).label} {n}")
    if kind == RoleKind.PARTNER_OFFICER and organisation is None:
        organisation = partnership.organisations.filter(kind=OrganisationKind.POLICE).first()
    person = Person.objects.create(
        partnership=partnership, full_name=user.full_name, email=email, user=user,
        organisation=organisation or partnership.organisations.first(),
    )
    Role.objects.create(partnership=partnership, person=person, kind=kind, organisation=organisation if kind == RoleKind.PARTNER_OFFICER else None)
    return user


def add_totp(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in_verified(client, user) -> None:
    """Sign a test client in as if the user had passed both steps of sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or add_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
