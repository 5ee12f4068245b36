"""What the partnership pages, the command line and the demo loader do, as plain functions."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from saferplan.wording import uk_date

from .models import (
    STAGE_DESCRIPTIONS,
    CycleStage,
    Invitation,
    Organisation,
    Partnership,
    Person,
    Role,
    RoleKind,
    Stage,
    StageStatus,
)


@dataclass
class StageSummary:
    stage: Stage
    label: str
    description: str
    status: str
    status_label: str
    url: str
    reasons: list[str] = field(default_factory=list)
    marked_done: bool = False


def status_label(status: str) -> str:
    return StageStatus(status).label


def stage_record(partnership: Partnership, stage: Stage) -> CycleStage:
    return CycleStage.objects.filter(partnership=partnership, stage=stage).first() or CycleStage(
        partnership=partnership, stage=stage
    )


# A stage whose app has pages links there from the task list; the others link to the stage page.
STAGE_PAGES = {
    Stage.ASSESSMENT: "assessment:index",
    Stage.CONSULTATION: "consultation:index",
    Stage.WORKSHOPS: "planning:workshops",
    Stage.PLAN: "planning:index",
    Stage.EQUALITY: "planning:eia",
    Stage.APPROVAL: "planning:approval",
    Stage.DELIVERY: "delivery:index",
}


def stage_url(partnership: Partnership, stage: Stage) -> str:
    kwargs = {"slug": partnership.slug}
    if stage in STAGE_PAGES:
        try:
            return reverse(STAGE_PAGES[stage], kwargs=kwargs)
        except NoReverseMatch:
            pass
    return reverse("partnership:stage", kwargs={**kwargs, "stage": stage.value})


def stage_progress(partnership: Partnership, stage: Stage, record: CycleStage | None = None):
    """The stage's status from its data, unless the manager has marked it done, and why."""
    from .progress import COMPLETED, Progress, derived_progress

    record = record if record is not None else stage_record(partnership, stage)
    derived = derived_progress(partnership, stage)
    if record.pk and record.status == COMPLETED:
        last = record.history.select_related("history_user").first()
        who = f" by {last.history_user}" if last is not None and last.history_user else ""
        when = f" on {uk_date(last.history_date)}" if last is not None else ""
        mark = f"Marked done{who}{when}" + (f": {record.note}" if record.note else "")
        return Progress(COMPLETED, [mark, *derived.reasons]), True
    return derived, False


def cycle_overview(partnership: Partnership) -> list[StageSummary]:
    """Every stage of the cycle with its status and the reasons for it, in order, for the task list."""
    records = {s.stage: s for s in partnership.stages.all()}
    result = []
    for stage in Stage:
        progress, marked = stage_progress(partnership, stage, records.get(stage.value) or CycleStage(
            partnership=partnership, stage=stage))
        result.append(
            StageSummary(
                stage=stage,
                label=stage.label,
                description=STAGE_DESCRIPTIONS[stage],
                status=progress.status,
                status_label=status_label(progress.status),
                url=stage_url(partnership, stage),
                reasons=progress.reasons,
                marked_done=marked,
            )
        )
    return result


def mark_stage_done(partnership: Partnership, stage: Stage, done: bool, note: str = "") -> CycleStage:
    """The manager's mark that a stage is done (or no longer marked), kept in the audit history."""
    record = stage_record(partnership, stage)
    record.status = StageStatus.COMPLETED if done else StageStatus.NOT_STARTED
    record.note = note
    record.save()
    return record


def give_role(person: Person, kind: str, organisation: Organisation | None = None) -> Role:
    role = Role(partnership=person.partnership, person=person, kind=kind, organisation=organisation)
    role.full_clean()
    role.save()
    return role


def role_removal_problem(role: Role) -> str | None:
    """A partnership must always keep someone who can manage it (see ``LastManagerError``)."""
    return role.removal_problem()


def deactivate_user(user) -> None:
    """Switch an account off; refused (``LastManagerError``) if a partnership would lose its last manager."""
    user._refuse_deactivation()
    user.is_active = False
    user.save(update_fields=["is_active"])


def user_for_email(email: str):
    return get_user_model().objects.filter(email__iexact=email).first()


def invite(partnership, *, invited_by, email, full_name, kind, organisation=None, accept_url) -> Invitation:
    """Record an invitation and email its one-time link. Sent only once the record is committed."""
    invitation = Invitation(
        partnership=partnership,
        email=email.lower(),
        full_name=full_name,
        kind=kind,
        organisation=organisation if kind == RoleKind.PARTNER_OFFICER else None,
        invited_by=invited_by,
    )
    token = invitation.issue_token()
    invitation.save()
    context = {"invitation": invitation, "url": accept_url(token), "role": RoleKind(kind).label}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You are invited to join {partnership} on Saferplan",
            message=render_to_string("partnership/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    )
    return invitation


def revoke_invitation(invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


@transaction.atomic
def accept_invitation(invitation: Invitation, user) -> Role:
    person = Person.objects.filter(partnership=invitation.partnership, email__iexact=invitation.email).first()
    if person is None:
        person = Person.objects.create(
            partnership=invitation.partnership,
            email=invitation.email,
            full_name=user.full_name or invitation.full_name,
            organisation=invitation.organisation,
            user=user,
        )
    elif person.user_id != user.pk:
        person.user = user
        person.save()
    role, _ = Role.objects.get_or_create(
        partnership=invitation.partnership, person=person, kind=invitation.kind, organisation=invitation.organisation
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return role


@transaction.atomic
def create_account_from_invitation(invitation: Invitation, full_name: str, password: str):
    user = get_user_model().objects.create_user(invitation.email, password, full_name=full_name)
    accept_invitation(invitation, user)
    return user
