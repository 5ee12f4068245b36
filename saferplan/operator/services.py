"""What the site operator does: create partnerships, invite their first managers, suspend and
reactivate them, and see what each holds. The operator's pages and the ``saferplan operator`` and
``saferplan partnership`` commands call these same functions.

None of this reads a partnership's plan, consultation or evidence: the figures are row counts and
dates, which is all an operator without a role in a partnership may know of it.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from saferplan.assessment import services as assessment
from saferplan.assessment import reference
from saferplan.partnership import services as partnership_services
from saferplan.partnership.models import (
    OPERATOR,
    Invitation,
    Partnership,
    Role,
    RoleKind,
    default_plan_period,
)


class OperatorError(ValidationError):
    """Refused, with a message that says what is wrong and where (the field, or the line)."""


# The police forces of England and Wales as police.uk names them ("Falls within"), for choosing a
# partnership's forces when no crime data for its area has been loaded yet.
POLICE_FORCES = (
    "Avon and Somerset Constabulary", "Bedfordshire Police", "British Transport Police",
    "Cambridgeshire Constabulary", "Cheshire Constabulary", "City of London Police", "Cleveland Police",
    "Cumbria Constabulary", "Derbyshire Constabulary", "Devon & Cornwall Police", "Dorset Police",
    "Durham Constabulary", "Dyfed-Powys Police", "Essex Police", "Gloucestershire Constabulary",
    "Greater Manchester Police", "Gwent Police", "Hampshire Constabulary", "Hertfordshire Constabulary",
    "Humberside Police", "Kent Police", "Lancashire Constabulary", "Leicestershire Police",
    "Lincolnshire Police", "Merseyside Police", "Metropolitan Police Service", "Norfolk Constabulary",
    "North Wales Police", "North Yorkshire Police", "Northamptonshire Police", "Northumbria Police",
    "Nottinghamshire Police", "South Wales Police", "South Yorkshire Police", "Staffordshire Police",
    "Suffolk Constabulary", "Surrey Police", "Sussex Police", "Thames Valley Police",
    "Warwickshire Police", "West Mercia Police", "West Midlands Police", "West Yorkshire Police",
    "Wiltshire Police",
)
COUNTRY_OF_PREFIX = {"E": "England", "W": "Wales"}


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    country: str


def authorities() -> list[Authority]:
    """Every local authority district a partnership can cover (England and Wales), by name."""
    return sorted((Authority(code, name, COUNTRY_OF_PREFIX.get(code[:1], ""))
                   for code, name in reference.authorities().items() if code[:1] in COUNTRY_OF_PREFIX),
                  key=lambda a: (a.name, a.code))


# --- Areas --------------------------------------------------------------------------------------


def resolve_areas(entries: list[str], where: str = "Line") -> list[Authority]:
    """Local authorities from what a person typed: a name ("Melton") or a code ("E07000133")
    each. Unknown entries are refused all together, each with its line and names close to it."""
    by_code = {a.code: a for a in authorities()}
    by_name: dict[str, list[Authority]] = {}
    for a in by_code.values():
        by_name.setdefault(a.name.casefold(), []).append(a)
    found: list[Authority] = []
    problems = []
    for number, entry in enumerate(entries, start=1):
        text = " ".join(entry.split())
        if not text:
            continue
        match = by_code.get(text.upper()) or (by_name.get(text.casefold()) or [None])[0]
        if match is None:
            close = difflib.get_close_matches(text, [a.name for a in by_code.values()], n=3, cutoff=0.75)
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            problems.append(f"{where} {number}: ‘{text}’ is not a local authority in England or Wales "
                            f"(give its name as the ONS lists it, or its code like E07000133 or W06000015).{hint}")
        elif match not in found:
            found.append(match)
    if problems:
        raise OperatorError(problems)
    if not found:
        raise OperatorError("Enter at least one local authority the partnership covers")
    return found


def find_authorities(text: str, limit: int = 30) -> list[Authority]:
    """Authorities whose name contains the text, or whose code starts with it (by name)."""
    text = " ".join(text.split()).casefold()
    if not text:
        return []
    return [a for a in authorities() if text in a.name.casefold() or a.code.casefold().startswith(text)][:limit]


def authorities_for(codes: list[str]) -> list[Authority]:
    by_code = {a.code: a for a in authorities()}
    return [by_code[c] for c in codes if c in by_code]


def forces_found(area_codes: list[str]) -> list[tuple[str, int]]:
    """Police forces with records in the area in the crime data loaded, most records first."""
    return assessment.forces_in_area(area_codes)


def force_choices(found: list[tuple[str, int]]) -> list[str]:
    """Every force an operator can choose: those found in the data first, then the rest."""
    names = [name for name, _ in found]
    return names + [f for f in POLICE_FORCES if f not in names]


# --- Creating a partnership ---------------------------------------------------------------------


def check_new_partnership(*, name: str, slug: str) -> dict[str, str]:
    """Problems with a new partnership's name and slug, by field (empty: none)."""
    problems = {}
    if not name.strip():
        problems["name"] = "Enter the partnership’s name"
    elif Partnership.objects.filter(name__iexact=name.strip()).exists():
        problems["name"] = f"A partnership called {name.strip()} already exists"
    if not slug:
        problems["slug"] = "Enter a short name for web addresses, like melton"
    elif slug != slugify(slug):
        problems["slug"] = "The short name can only have lower-case letters, numbers and hyphens, like north-west-leics"
    elif Partnership.objects.filter(slug=slug).exists():
        problems["slug"] = f"The short name {slug} is already used by another partnership"
    return problems


@transaction.atomic
def create_partnership(*, name: str, slug: str, areas: list[Authority], police_forces: list[str],
                       plan_start: date | None = None, plan_end: date | None = None) -> Partnership:
    """A new, empty partnership: its area, forces and plan period. Its people come by invitation."""
    problems = check_new_partnership(name=name, slug=slug)
    if problems:
        raise OperatorError(problems)
    forces = [f.strip() for f in police_forces if f.strip()]
    if not forces:
        raise OperatorError({"police_forces": "Choose at least one police force serving the area"})
    if plan_start is None and plan_end is None:
        plan_start, plan_end = default_plan_period()
    partnership = Partnership(
        name=name.strip(), slug=slug, area_codes=[a.code for a in areas], area_names=[a.name for a in areas],
        police_forces=forces, plan_start=plan_start, plan_end=plan_end)
    partnership.full_clean()
    partnership._change_reason = "Created by the site operator"
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError:  # another operator took the name or slug a moment ago
        raise OperatorError(check_new_partnership(name=name, slug=slug) or "That name or short name is taken") from None
    return partnership


# --- Invitations --------------------------------------------------------------------------------


def site_address(path: str) -> str:
    """An address to print or email: absolute when the site's address is configured."""
    base = settings.SAFERPLAN_SITE_URL.rstrip("/")
    return f"{base}{path}" if base else path


def invitation_address(token: str) -> str:
    return site_address(reverse("accept-invitation", kwargs={"token": token}))


def invite_manager(partnership: Partnership, *, email: str, full_name: str = "", invited_by=None,
                   accept_url=invitation_address) -> tuple[Invitation, str]:
    """Invite the partnership's (first) manager by email; returns the invitation and its link."""
    email = email.strip().lower()
    if Invitation.objects.pending().filter(partnership=partnership, email=email, kind=RoleKind.MANAGER).exists():
        raise OperatorError({"email": f"{email} already has an invitation to manage {partnership} that has not been used"})
    link = {}

    def remember(token):
        link["url"] = accept_url(token)
        return link["url"]

    invitation = partnership_services.invite(
        partnership, invited_by=invited_by, email=email, full_name=full_name.strip(), kind=RoleKind.MANAGER,
        accept_url=remember)
    return invitation, link["url"]


@transaction.atomic
def invite_operator(email: str, full_name: str = "", invited_by=None) -> tuple[Invitation, str]:
    """A one-time link that makes the person with this email a site operator when they use it
    (creating their account, or after they sign in to the one they have)."""
    from django.core.validators import validate_email

    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise OperatorError(f"‘{email}’ is not an email address") from None
    existing = get_user_model().objects.filter(email__iexact=email, is_operator=True).first()
    if existing is not None:
        raise OperatorError(f"{email} is already a site operator")
    # Earlier links for the same person stop working: only the newest one printed is valid.
    Invitation.objects.pending().filter(kind=OPERATOR, email=email).update(revoked_at=timezone.now())
    invitation = Invitation(email=email, full_name=full_name.strip(), kind=OPERATOR, invited_by=invited_by)
    token = invitation.issue_token()
    invitation.save()
    return invitation, invitation_address(token)


def email_operator_link(invitation: Invitation, url: str) -> None:
    transaction.on_commit(lambda: send_mail(
        subject="You are invited to be a Saferplan site operator",
        message=render_to_string("operator/email/operator_invitation.txt", {"invitation": invitation, "url": url}),
        from_email=None, recipient_list=[invitation.email]))


# --- Suspending ---------------------------------------------------------------------------------


def suspend(partnership: Partnership, reason: str) -> None:
    partnership.suspend(reason)


def reactivate(partnership: Partnership, reason: str) -> None:
    partnership.reactivate(reason)


# --- What each partnership holds ----------------------------------------------------------------


@dataclass
class PartnershipSummary:
    partnership: Partnership
    managers: int
    pending_manager_invitations: int
    records: int          # rows in the site's database that belong to the partnership
    store_records: int    # police and partner records it imported into the crime store
    last_activity: datetime | None


def _owned_models():
    """(model, lookup to its partnership) for every model whose rows a partnership owns: those
    that go when it is deleted (on_delete CASCADE), reached through any chain of them."""
    seen, queue, found = {Partnership}, [(Partnership, "")], []
    while queue:
        parent, path = queue.pop(0)
        for relation in parent._meta.related_objects:
            if relation.on_delete is not models.CASCADE or relation.related_model in seen:
                continue
            model = relation.related_model
            lookup = relation.field.name + ("__" + path if path else "")
            seen.add(model)
            found.append((model, lookup))
            queue.append((model, lookup))
    return found


def _counts(model, lookup: str, ids: list[int]) -> dict[int, int]:
    rows = (model._default_manager.filter(**{f"{lookup}__in": ids}).values(lookup)
            .annotate(n=models.Count("pk")).values_list(lookup, "n"))
    return dict(rows)


def _last_changes(ids: list[int]) -> dict[int, datetime]:
    """The latest audit-history entry of each partnership: its own and its records' (those with
    a partnership field), and the latest sign-in of its members."""
    from simple_history.models import registered_models

    latest: dict[int, datetime] = {}

    def keep(pairs):
        for pk, when in pairs:
            if when is not None and (pk not in latest or when > latest[pk]):
                latest[pk] = when

    keep(Partnership.history.filter(id__in=ids).values("id").annotate(t=models.Max("history_date"))
         .values_list("id", "t"))
    for historical in set(registered_models.values()):
        if any(f.name == "partnership" for f in historical._meta.fields) and hasattr(historical, "history_date"):
            keep(historical.objects.filter(partnership_id__in=ids).values("partnership_id")
                 .annotate(t=models.Max("history_date")).values_list("partnership_id", "t"))
    keep(Role.objects.filter(partnership_id__in=ids).values("partnership_id")
         .annotate(t=models.Max("person__user__last_login")).values_list("partnership_id", "t"))
    return latest


def partnership_summaries(partnerships=None) -> list[PartnershipSummary]:
    """Every partnership (or those given) with its managers, storage and last activity: a fixed
    number of queries however many partnerships there are."""
    partnerships = list(partnerships if partnerships is not None else Partnership.objects.order_by("name"))
    ids = [p.pk for p in partnerships]
    records = dict.fromkeys(ids, 1)  # the partnership's own row
    for model, lookup in _owned_models():
        for pk, n in _counts(model, lookup, ids).items():
            records[pk] += n
    managers = dict(Role.objects.filter(partnership_id__in=ids, kind=RoleKind.MANAGER).values("partnership_id")
                    .annotate(n=models.Count("pk")).values_list("partnership_id", "n"))
    pending = dict(Invitation.objects.pending().filter(partnership_id__in=ids, kind=RoleKind.MANAGER)
                   .values("partnership_id").annotate(n=models.Count("pk")).values_list("partnership_id", "n"))
    store = assessment.store_rows_by_owner()
    last = _last_changes(ids)
    return [PartnershipSummary(partnership=p, managers=managers.get(p.pk, 0),
                               pending_manager_invitations=pending.get(p.pk, 0), records=records[p.pk],
                               store_records=store.get(p.pk, 0), last_activity=last.get(p.pk))
            for p in partnerships]


def shared_store_records() -> int:
    """Records the operator loaded for everyone (owned by no partnership)."""
    return assessment.store_rows_by_owner().get(None, 0)
