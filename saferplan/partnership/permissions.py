"""Who may do what in a partnership.

One table maps each capability to the roles that hold it. Views ask ``require`` (through the
``PartnershipMixin``), templates ask ``can``; nothing else decides access. A person with no role in
a partnership gets a 404 for everything in it, so another partnership's pages do not even
reveal that they exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import SECOND_FACTOR_REQUIRED, Organisation, Partnership, Role, RoleKind

M = RoleKind.MANAGER
A = RoleKind.ANALYST
P = RoleKind.PARTNER_OFFICER
B = RoleKind.BOARD_MEMBER
S = RoleKind.SCRUTINY_MEMBER
EVERYONE = frozenset(RoleKind)

CAPABILITIES: dict[str, frozenset[str]] = {
    "view": EVERYONE,
    "view_directory": EVERYONE,
    "change_partnership": frozenset({M}),
    "change_directory": frozenset({M}),
    "change_roles": frozenset({M}),
    "invite": frozenset({M}),
    "change_cycle": frozenset({M}),
    "view_history": frozenset({M, A, B}),
    # A partner officer may keep their own organisation's details; see ``can_change_organisation``.
    "change_own_organisation": frozenset({M, P}),
    # Strategic assessment: analysts import data and review findings; everyone reads the result.
    "view_assessment": EVERYONE,
    "change_assessment": frozenset({M, A}),
    # Boundaries of the partnership's own authorities (the national data is the operator's).
    "load_boundaries": frozenset({M}),
    # Consultation: the manager runs it; officers key in paper responses and log events;
    # results are read by every member: partner officers' workshops review them too.
    "change_consultation": frozenset({M}),
    "enter_responses": frozenset({M, A, P}),
    "view_consultation_results": EVERYONE,
    # Personal representations (letters, emails, their senders and attachments, lead petitioners)
    # only to those who handle the correspondence: never partner officers, board or scrutiny.
    "handle_representations": frozenset({M, A}),
    # Individual responses (review of duplicates, free-text coding, imports, exports) stay with
    # the people who run and analyse the consultation.
    "review_responses": frozenset({M, A}),
    # Planning: workshops are recorded by those who run them; the manager owns the plan, its
    # EIA and its approval record; scrutiny and board members comment; partner officers report
    # KPI values for the actions their organisation owns.
    "view_plan": EVERYONE,
    "change_workshops": frozenset({M, A, B}),
    "score_priorities": frozenset({M, A}),
    "change_plan": frozenset({M}),
    "change_eia": frozenset({M}),
    "record_approval": frozenset({M}),
    "comment_on_plan": frozenset({M, B, S}),
    "report_kpis": frozenset({M, A, P}),
    # Delivery: the manager runs the return rounds, the register and the funding; partner
    # officers submit returns for the actions their own organisation owns (see
    # ``delivery.services.returns.can_submit``); everyone reads progress.
    "view_delivery": EVERYONE,
    "run_returns": frozenset({M}),
    "submit_returns": frozenset({M, P}),
    "change_risks": frozenset({M}),
    "change_funding": frozenset({M}),
    # JAG tasking is recorded by those who run the JAG (the community safety team and analysts);
    # read-API tokens are issued and revoked by the manager alone.
    "change_jag": frozenset({M, A}),
    "manage_api_tokens": frozenset({M}),
    "change_annual_review": frozenset({M}),
    "edit_scrutiny_report": frozenset({M}),
}


@dataclass
class Access:
    """The signed-in user's roles in one partnership."""

    partnership: Partnership
    roles: list[Role] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {r.kind for r in self.roles}

    def can(self, capability: str) -> bool:
        return bool(self.kinds & CAPABILITIES[capability])

    def require(self, capability: str) -> None:
        if not self.can(capability):
            raise PermissionDenied(f"Your role does not allow this ({capability}).")

    @property
    def officer_for(self) -> set[int]:
        return {r.organisation_id for r in self.roles if r.kind == RoleKind.PARTNER_OFFICER}

    def can_change_organisation(self, organisation: Organisation) -> bool:
        if self.can("change_directory"):
            return True
        return RoleKind.PARTNER_OFFICER in self.kinds and organisation.pk in self.officer_for

    def role_names(self) -> list[str]:
        return [str(r) for r in self.roles]


def roles_of(user, partnership: Partnership | None = None):
    qs = Role.objects.filter(person__user=user, person__user__is_active=True).select_related(
        "partnership", "organisation", "person"
    )
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    return qs


def partnerships_of(user):
    if not user.is_authenticated:
        return Partnership.objects.none()
    return Partnership.objects.filter(roles__person__user=user).distinct()


class PartnershipSuspended(PermissionDenied):
    """The member's partnership has been suspended by the site operator: its pages are closed
    (the error page says so, and who to ask)."""

    def __init__(self, partnership: Partnership):
        super().__init__(f"{partnership.name} is suspended.")
        self.partnership = partnership


def access_for(user, slug: str) -> Access:
    """The user's access to the partnership with this slug; 404 if they hold no role in it
    (being a site operator is not a role), ``PartnershipSuspended`` if it is suspended."""
    if not user.is_authenticated:
        raise Http404
    roles = list(roles_of(user).filter(partnership__slug=slug))
    if not roles:
        raise Http404("No such partnership")
    if roles[0].partnership.is_suspended:
        raise PartnershipSuspended(roles[0].partnership)
    return Access(partnership=roles[0].partnership, roles=roles)


def second_factor_required(user) -> bool:
    # An operator can create partnerships and invite their managers: a second factor, always.
    return getattr(user, "is_operator", False) or roles_of(user).filter(kind__in=SECOND_FACTOR_REQUIRED).exists()


def require_operator(user) -> None:
    """Operator pages: 404 for everyone else, so they do not reveal the pages exist."""
    if not (user.is_authenticated and user.is_active and getattr(user, "is_operator", False)):
        raise Http404("No such page")
