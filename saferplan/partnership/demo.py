"""The demo partnership: Melton Community Safety Partnership, built from the repo's fixture and the
real reference data in ``shared/data`` (loaded into the store by the operator's loader). Safe to run any number of times: everything is matched on
its natural key and brought up to date, never duplicated.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SECOND_FACTOR_REQUIRED, Organisation, Partnership, Person, Role, SubGroup, User

FIXTURE = Path(__file__).parent / "fixtures" / "melton.json"
DEMO_PASSWORD = "saferplan-demo"


@dataclass
class DemoSignIn:
    email: str
    name: str
    roles: list[str]
    totp_secret: str = ""


@dataclass
class DemoResult:
    partnership: Partnership
    sign_ins: list[DemoSignIn] = field(default_factory=list)


def area_names(codes: list[str]) -> list[str]:
    """Local authority names for codes, from the reference data loaded in the store."""
    from saferplan.assessment.services import authority_names

    return authority_names(codes)


def load_demo_reference(data_dir: Path, area_codes: list[str]) -> None:
    """The national reference data from the shared data folder, through the operator's loader
    (``saferplan reference load``), unless it is loaded already."""
    from saferplan.assessment.reference.load import shared_data_files
    from saferplan.assessment.services import ensure_snapshot, load_reference, reference_status

    ensure_snapshot()  # a store from before snapshots is published first, so it can be read
    state = reference_status(area_codes)
    if not state["missing"]:
        return
    for result in load_reference(shared_data_files(data_dir)):
        print(f"Reference data: {result.describe()}")


def demo_totp_key(email: str) -> str:
    # Derived from the email so every run (and the printed secret) stays the same.
    return hashlib.sha1(f"saferplan-demo:{email}".encode()).hexdigest()


def base32_secret(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


@transaction.atomic
def load_demo(data_dir: Path | None = None) -> DemoResult:
    data_dir = Path(data_dir or settings.DATA_DIR)
    spec = json.loads(FIXTURE.read_text(encoding="utf-8"))
    load_demo_reference(data_dir, spec["area_codes"])
    partnership, _ = Partnership.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "name": spec["name"],
            "area_codes": spec["area_codes"],
            "area_names": area_names(spec["area_codes"]),
            "police_forces": spec["police_forces"],
            "plan_start": date.fromisoformat(spec["plan_start"]),
            "plan_end": date.fromisoformat(spec["plan_end"]),
            # Demo contact details (example.org addresses, not real ones) so that the public
            # privacy notice shows what a partnership fills in.
            "contact_email": spec.get("contact_email", ""),
            "contact_address": spec.get("contact_address", ""),
            "data_controller": spec.get("data_controller", ""),
            "retention_period": spec.get("retention_period", ""),
        },
    )
    organisations = {}
    for org in spec["organisations"]:
        organisations[org["name"]], _ = Organisation.objects.update_or_create(
            partnership=partnership,
            name=org["name"],
            defaults={"kind": org["kind"], "website": org.get("website", "")},
        )
    result = DemoResult(partnership)
    people = {}
    for p in spec["people"]:
        user = None
        if p["roles"]:
            user = User.objects.filter(email=p["email"]).first() or User.objects.create_user(
                p["email"], DEMO_PASSWORD, full_name=p["full_name"]
            )
            user.full_name = p["full_name"]
            user.set_password(DEMO_PASSWORD)
            user.save()
        person, _ = Person.objects.update_or_create(
            partnership=partnership,
            email=p["email"],
            defaults={
                "full_name": p["full_name"],
                "job_title": p["job_title"],
                "organisation": organisations[p["organisation"]],
                "user": user,
            },
        )
        people[p["full_name"]] = person
        kinds = []
        for role in p["roles"]:
            kind, org_name = (role, None) if isinstance(role, str) else role
            Role.objects.get_or_create(
                partnership=partnership, person=person, kind=kind, organisation=organisations.get(org_name)
            )
            kinds.append(kind)
        if user is None:
            continue
        sign_in = DemoSignIn(p["email"], p["full_name"], [str(r) for r in person.roles.all()])
        if set(kinds) & SECOND_FACTOR_REQUIRED:
            key = demo_totp_key(p["email"])
            TOTPDevice.objects.update_or_create(
                user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
            )
            sign_in.totp_secret = base32_secret(key)
        result.sign_ins.append(sign_in)
    for g in spec["sub_groups"]:
        group, _ = SubGroup.objects.update_or_create(
            partnership=partnership, name=g["name"], defaults={"theme": g["theme"], "chair": people.get(g["chair"])}
        )
        group.members.set([people[name] for name in g["members"]])
    return result
