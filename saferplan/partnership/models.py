"""The partnership and who is in it: organisations, people, sub-groups and roles.

Every other stage hangs off a Partnership, and every query a page makes is scoped to the
partnerships the signed-in user holds a role in (see ``permissions``).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

LAD_CODE = RegexValidator(r"^[EW]0[6-9]\d{6}$", "Enter a local authority code like E07000133")


class LastManagerError(ValidationError):
    """Refused: the change would leave a partnership with no manager who can sign in to it.

    Nobody could then reach its people, roles or plan, so every path that can take the last
    manager away (removing the person, their role, or switching their account off) asks first.
    """


def reachable_managers(partnership, *, without_person=None, without_role=None, without_user=None):
    """Manager roles in the partnership held by someone with an active account, less the one(s) going."""
    roles = Role.objects.filter(
        partnership=partnership, kind=RoleKind.MANAGER, person__user__isnull=False, person__user__is_active=True
    )
    if without_person is not None:
        roles = roles.exclude(person=without_person)
    if without_role is not None:
        roles = roles.exclude(pk=without_role.pk)
    if without_user is not None:
        roles = roles.exclude(person__user=without_user)
    return roles


def _loses_last_manager(partnership, **without) -> bool:
    """True if the partnership has a reachable manager now and would have none after the change."""
    return reachable_managers(partnership).exists() and not reachable_managers(partnership, **without).exists()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may see comes from their roles, never from is_staff."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin (operators only).")
    # The site operator creates, suspends and reactivates partnerships. It is not a partnership
    # role and opens no partnership's data: an operator sees a partnership's pages only with a
    # role in it, like anyone else.
    is_operator = models.BooleanField(
        "Site operator", default=False,
        help_text="Creates, suspends and reactivates partnerships; sees no partnership's data without a role in it.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def partnerships_left_without_manager(self) -> list:
        """The partnerships that would have no manager able to sign in if this account were switched off."""
        partnerships = {r.partnership for r in Role.objects.filter(person__user=self, kind=RoleKind.MANAGER)
                        .select_related("partnership")}
        return sorted((p for p in partnerships if _loses_last_manager(p, without_user=self)), key=lambda p: p.name)

    def clean(self):
        super().clean()
        if not self.is_active and self.pk:
            self._refuse_deactivation()

    def _refuse_deactivation(self):
        stranded = self.partnerships_left_without_manager()
        if stranded:
            names = ", ".join(p.name for p in stranded)
            raise LastManagerError(
                f"{self} is the only manager of {names}. Give someone else the manager role before switching "
                f"their account off", code="last_manager")

    def delete(self, *args, **kwargs):
        # Their Person records would lose the account, leaving the roles with no one to sign in.
        self._refuse_deactivation()
        return super().delete(*args, **kwargs)

    def save(self, *args, **kwargs):
        if self.pk and not self.is_active:
            was_active = type(self).objects.filter(pk=self.pk, is_active=True).exists()
            if was_active:
                self._refuse_deactivation()
        super().save(*args, **kwargs)


class Partnership(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    area_codes = models.JSONField(
        default=list,
        help_text="Local authority district codes the partnership covers, e.g. E07000133.",
    )
    area_names = models.JSONField(default=list, blank=True)
    police_forces = models.JSONField(default=list, help_text="Police forces serving the area.")
    plan_start = models.DateField(null=True, blank=True)
    plan_end = models.DateField(null=True, blank=True)
    # Shown to the public: on the partnership's public pages and in its privacy notice.
    contact_email = models.EmailField("Contact email for the public", blank=True)
    contact_address = models.TextField("Postal address for the public", max_length=500, blank=True)
    data_controller = models.CharField(
        "Data controller", max_length=200, blank=True,
        help_text="The organisation responsible for personal data given in consultations, usually the council.")
    retention_period = models.CharField(
        "How long personal data is kept", max_length=500, blank=True,
        help_text="For example: contact details and equality answers are deleted 12 months after a consultation closes.")
    # Empty: decided by the area (a Welsh authority, W06, offers Welsh); a manager may say otherwise.
    public_welsh = models.BooleanField(
        "Offer public pages in Welsh", null=True, blank=True,
        help_text="Residents can read the consultations and privacy notice in Welsh and English. "
                  "Welsh authorities offer it unless you say no.")

    # The partnership's own look: its logo in the header of its pages and on its documents. The
    # image itself is a ``PartnershipLogo`` row, so loading a partnership never loads it; these
    # say whether there is one, what it shows, and which image it is (for caches).
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    logo_digest = models.CharField(max_length=64, blank=True, editable=False)
    logo_alt = models.CharField(
        "Logo description", max_length=200, blank=True,
        help_text="What the logo says or shows, for people who cannot see it, e.g. Melton Borough Council")
    # Set by the site operator: a suspended partnership's staff pages are closed and its public
    # consultations stop taking answers. Its data stays as it was.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnership:home", kwargs={"slug": self.slug})

    @property
    def offers_welsh(self) -> bool:
        if self.public_welsh is not None:
            return self.public_welsh
        return any(str(code).startswith("W06") for code in self.area_codes)

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def suspend(self, reason: str) -> None:
        """Close the partnership's pages; refused if already suspended or without a reason."""
        if self.is_suspended:
            raise ValidationError(f"{self.name} is already suspended")
        reason = reason.strip()
        if not reason:
            raise ValidationError("Enter the reason for suspending the partnership")
        self.suspended_at = timezone.now()
        self.suspension_reason = reason
        self._change_reason = f"Suspended: {reason}"[:100]
        self.save(update_fields=["suspended_at", "suspension_reason"])

    def reactivate(self, reason: str) -> None:
        """Open the partnership's pages again; refused if it is not suspended or without a reason."""
        if not self.is_suspended:
            raise ValidationError(f"{self.name} is not suspended")
        reason = reason.strip()
        if not reason:
            raise ValidationError("Enter the reason for reactivating the partnership")
        self.suspended_at = None
        self.suspension_reason = ""
        self._change_reason = f"Reactivated: {reason}"[:100]
        self.save(update_fields=["suspended_at", "suspension_reason"])

    @property
    def areas(self) -> list[str]:
        names = list(self.area_names) + [""] * len(self.area_codes)
        return [f"{name} ({code})" if name else code for code, name in zip(self.area_codes, names)]

    def clean(self):
        for code in self.area_codes:
            LAD_CODE(code)
        if self.plan_start and self.plan_end and self.plan_end <= self.plan_start:
            raise ValidationError({"plan_end": "The plan must end after it starts"})


class PartnershipLogo(models.Model):
    """The logo's image: in the database (not a media folder) so every web process and every
    backup has it. PNG or JPEG, checked and re-encoded on upload (``branding``)."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="logo_image")
    data = models.BinaryField()

    def __str__(self):
        return f"Logo of {self.partnership}"


class OrganisationKind(models.TextChoices):
    DISTRICT_COUNCIL = "district_council", "District, borough or city council"
    COUNTY_COUNCIL = "county_council", "County council"
    UNITARY_COUNCIL = "unitary_council", "Unitary or metropolitan council"
    POLICE = "police", "Police force"
    FIRE = "fire", "Fire and rescue service"
    PROBATION = "probation", "Probation service"
    HEALTH = "health", "Integrated care board (health)"
    PCC = "pcc", "Police and crime commissioner"
    HOUSING = "housing", "Housing provider"
    VOLUNTARY = "voluntary", "Voluntary or community group"
    BUSINESS = "business", "Business or business improvement district"
    OTHER = "other", "Other partner"


# The bodies the Crime and Disorder Act 1998 (s.5) makes responsible authorities.
RESPONSIBLE_AUTHORITY_KINDS = {
    OrganisationKind.DISTRICT_COUNCIL,
    OrganisationKind.COUNTY_COUNCIL,
    OrganisationKind.UNITARY_COUNCIL,
    OrganisationKind.POLICE,
    OrganisationKind.FIRE,
    OrganisationKind.PROBATION,
    OrganisationKind.HEALTH,
}


class Organisation(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    website = models.URLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="organisation_name_unique_in_partnership")
        ]

    def __str__(self):
        return self.name

    @property
    def is_responsible_authority(self) -> bool:
        return self.kind in RESPONSIBLE_AUTHORITY_KINDS

    def get_absolute_url(self):
        return reverse("partnership:organisation", kwargs={"slug": self.partnership.slug, "pk": self.pk})


class KeepsLastManager:
    """Refuses ``delete()`` when ``removal_problem()`` says it would take the last manager, so no
    page, command or cascade can leave a partnership that nobody can reach."""

    def removal_problem(self) -> str | None:
        raise NotImplementedError

    def delete(self, *args, **kwargs):
        problem = self.removal_problem()
        if problem:
            raise LastManagerError(problem, code="last_manager")
        return super().delete(*args, **kwargs)


class Person(KeepsLastManager, models.Model):
    """Someone in the partnership's directory: may own actions without ever signing in."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="people")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="people", null=True, blank=True
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    job_title = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="people")

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "email"], name="person_email_unique_in_partnership")
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("partnership:person", kwargs={"slug": self.partnership.slug, "pk": self.pk})

    def removal_problem(self) -> str | None:
        if _loses_last_manager(self.partnership, without_person=self):
            return (f"{self} is the partnership’s only manager. Give someone else the manager role before "
                    f"removing them")
        return None



class SubGroup(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="sub_groups")
    name = models.CharField(max_length=200)
    theme = models.CharField(max_length=300, help_text="What the sub-group works on, e.g. place, victim, offender.")
    chair = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="chairs")
    members = models.ManyToManyField(Person, blank=True, related_name="sub_groups")

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]
        verbose_name = "sub-group"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="subgroup_name_unique_in_partnership")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnership:sub-group", kwargs={"slug": self.partnership.slug, "pk": self.pk})


class RoleKind(models.TextChoices):
    MANAGER = "manager", "Partnership manager"
    ANALYST = "analyst", "Analyst"
    PARTNER_OFFICER = "partner_officer", "Partner officer"
    BOARD_MEMBER = "board_member", "Board member"
    SCRUTINY_MEMBER = "scrutiny_member", "Scrutiny member"


ROLE_DESCRIPTIONS = {
    RoleKind.MANAGER: "Runs the plan cycle: manages the partnership, its people and every stage.",
    RoleKind.ANALYST: "Imports crime and partner data and writes the strategic assessment.",
    RoleKind.PARTNER_OFFICER: "Acts for one organisation: keeps its details and reports on its actions.",
    RoleKind.BOARD_MEMBER: "Reads everything in the partnership and agrees its priorities.",
    RoleKind.SCRUTINY_MEMBER: "Reads the plan and its evidence, and comments on it.",
}

# Signing in with a password alone is not enough for the people who can change the evidence
# and the plan; others are offered a second factor but not made to use one.
SECOND_FACTOR_REQUIRED = {RoleKind.MANAGER, RoleKind.ANALYST}


class Role(KeepsLastManager, models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="roles")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(max_length=30, choices=RoleKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="officer_roles",
        help_text="The organisation a partner officer acts for.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "organisation"], name="role_unique"),
        ]

    def __str__(self):
        if self.kind == RoleKind.PARTNER_OFFICER and self.organisation_id:
            return f"{self.get_kind_display()} for {self.organisation}"
        return self.get_kind_display()

    def removal_problem(self) -> str | None:
        if self.kind == RoleKind.MANAGER and _loses_last_manager(self.partnership, without_role=self):
            return "This is the partnership’s only manager. Give someone else the manager role first"
        return None


    def save(self, *args, **kwargs):
        # Changing a manager's role to another kind takes a manager away just as removing it does.
        if self.pk and self.kind != RoleKind.MANAGER:
            before = type(self).objects.filter(pk=self.pk).first()
            if before is not None and before.kind == RoleKind.MANAGER:
                problem = before.removal_problem()
                if problem:
                    raise LastManagerError(problem, code="last_manager")
        super().save(*args, **kwargs)

    def clean(self):
        if self.kind == RoleKind.PARTNER_OFFICER and not self.organisation_id:
            raise ValidationError({"organisation": "Select the organisation this partner officer acts for"})
        if self.kind != RoleKind.PARTNER_OFFICER:
            self.organisation = None
        if self.person_id and self.person.partnership_id != self.partnership_id:
            raise ValidationError("The person belongs to another partnership")
        if self.organisation_id and self.organisation.partnership_id != self.partnership_id:
            raise ValidationError({"organisation": "The organisation belongs to another partnership"})


class Stage(models.TextChoices):
    """The plan cycle, in the order the statutory guidance and the seeds describe it."""

    ASSESSMENT = "assessment", "Strategic assessment"
    CONSULTATION = "consultation", "Public consultation"
    WORKSHOPS = "workshops", "Partner workshops"
    PLAN = "plan", "Priorities and plan"
    EQUALITY = "equality", "Equality impact assessment"
    APPROVAL = "approval", "Approval"
    DELIVERY = "delivery", "Delivery"


STAGE_DESCRIPTIONS = {
    Stage.ASSESSMENT: "Levels and patterns of crime and disorder over the last 12 months and the 3-year trend, "
    "from police and partner data.",
    Stage.CONSULTATION: "Twelve weeks of consultation with residents and stakeholders: survey, drop-ins, "
    "focus groups, letters and a record of every engagement event.",
    Stage.WORKSHOPS: "Themed workshops with partners and a survey of elected members.",
    Stage.PLAN: "Themes, priorities and actions with owners, deadlines, KPIs and funding.",
    Stage.EQUALITY: "The impact of the plan on each protected characteristic, with actions.",
    Stage.APPROVAL: "Scrutiny, cabinet and full council: dates, comments and decisions.",
    Stage.DELIVERY: "Quarterly returns, KPIs, the risk register and funding.",
}


class StageStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not yet started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class CycleStage(models.Model):
    """Where a partnership is in one stage of its cycle, as the manager last recorded it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    status = models.CharField(max_length=20, choices=StageStatus.choices, default=StageStatus.NOT_STARTED)
    note = models.TextField(blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "stage"], name="one_status_per_stage")]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.get_status_display()}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


# An invitation to be a site operator: no partnership, and no partnership role.
OPERATOR = "operator"
INVITATION_KINDS = [*RoleKind.choices, (OPERATOR, "Site operator")]


class Invitation(models.Model):
    """An emailed one-time link to take a role in a partnership, or (with no partnership) to be
    a site operator. Only the token's hash is stored."""

    VALID_FOR = timedelta(days=14)

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True)
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    kind = models.CharField("role", max_length=30, choices=INVITATION_KINDS)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=OPERATOR, partnership__isnull=True)
                | (~models.Q(kind=OPERATOR) & models.Q(partnership__isnull=False)),
                name="invitation_operator_has_no_partnership",
            )
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.joins}"

    @property
    def for_operator(self) -> bool:
        return self.kind == OPERATOR

    @property
    def joins(self) -> str:
        """What accepting it joins, in words."""
        return "Saferplan as a site operator" if self.for_operator else str(self.partnership)

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.expires_at = timezone.now() + self.VALID_FOR
        return token

    @classmethod
    def find(cls, token: str):
        return cls.objects.pending().filter(token_hash=_hash_token(token)).select_related("partnership").first()


def default_plan_period(today: date | None = None) -> tuple[date, date]:
    """Plans start on 1 April and run three years."""
    today = today or date.today()
    start_year = today.year if today.month < 4 else today.year + 1
    return date(start_year, 4, 1), date(start_year + 3, 3, 31)
