"""Pages for the partnership, its directory and the plan cycle. Thin: forms validate, services act."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from . import services
from .audit import _rows, history_of, partnership_history
from .forms import (
    ConfirmRemoveForm,
    InvitationForm,
    LogoForm,
    OrganisationForm,
    PartnershipForm,
    PersonForm,
    RoleForm,
    StageDoneForm,
    SubGroupForm,
)
from .models import (
    ROLE_DESCRIPTIONS,
    STAGE_DESCRIPTIONS,
    Invitation,
    LastManagerError,
    Organisation,
    Person,
    Role,
    RoleKind,
    Stage,
    SubGroup,
)
from .permissions import access_for, partnerships_of


def staff_home(request):
    """A member of one partnership goes straight to it; a member of several chooses."""
    partnerships = list(partnerships_of(request.user))
    if not partnerships and request.user.is_operator:
        return redirect("operator:partnerships")
    if len(partnerships) == 1 and not request.user.is_operator:
        return redirect(partnerships[0].get_absolute_url())
    return render(request, "partnership/choose.html", {"partnerships": partnerships})


class PartnershipMixin:
    """Resolves the partnership from the URL and checks the signed-in user's roles in it."""

    capability = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.access = access_for(request.user, kwargs["slug"])
        self.partnership = self.access.partnership
        request.access = self.access
        self.access.require(self.capability_for(request))
        return super().dispatch(request, *args, **kwargs)

    def capability_for(self, request) -> str:
        return self.capability

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnership"] = self.partnership
        return context


class PartnershipHome(PartnershipMixin, TemplateView):
    template_name = "partnership/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stages"] = services.cycle_overview(self.partnership)
        context["directory"] = {
            "organisations": self.partnership.organisations.count(),
            "people": self.partnership.people.count(),
            "sub_groups": self.partnership.sub_groups.count(),
        }
        return context


class StageView(PartnershipMixin, TemplateView):
    template_name = "partnership/stage.html"

    def capability_for(self, request):
        return "change_cycle" if request.method == "POST" else "view"

    def stage(self):
        try:
            return Stage(self.kwargs["stage"])
        except ValueError:
            raise Http404("No such stage") from None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        stage = self.stage()
        record = services.stage_record(self.partnership, stage)
        progress, marked = services.stage_progress(self.partnership, stage, record)
        context.update(
            stage=stage,
            description=STAGE_DESCRIPTIONS[stage],
            record=record,
            progress=progress,
            marked_done=marked,
            stage_url=services.stage_url(self.partnership, stage),
            history=history_of(record) if record.pk and self.access.can("view_history") else None,
            form=form or StageDoneForm(initial={"done": "yes" if marked else "no", "note": record.note}),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = StageDoneForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        done = form.cleaned_data["done"]
        services.mark_stage_done(self.partnership, self.stage(), done, form.cleaned_data["note"])
        messages.success(request, f"{self.stage().label} is now marked done." if done else
                         f"{self.stage().label} now shows its status from the data.")
        return redirect("partnership:home", slug=self.partnership.slug)


class AboutPartnership(PartnershipMixin, TemplateView):
    template_name = "partnership/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.access.can("view_history"):
            context["history"] = history_of(self.partnership)
        context["responsible"] = [o for o in self.partnership.organisations.all() if o.is_responsible_authority]
        return context


class EditPartnership(PartnershipMixin, View):
    capability = "change_partnership"

    def get(self, request, slug):
        return self._render(PartnershipForm(instance=self.partnership))

    def post(self, request, slug):
        form = PartnershipForm(request.POST, instance=self.partnership)
        if form.is_valid():
            form.save()
            messages.success(request, "The partnership’s details have been saved.")
            return redirect("partnership:about", slug=slug)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "partnership/partnership_form.html", {"form": form, "partnership": self.partnership})


class EditLogo(PartnershipMixin, View):
    """The partnership's logo, shown in the header of its pages and on its documents."""

    capability = "change_partnership"

    def get(self, request, slug):
        return self._render(LogoForm(initial={"logo_alt": self.partnership.logo_alt}))

    def post(self, request, slug):
        from .branding import remove_logo, set_logo

        if "remove" in request.POST:
            remove_logo(self.partnership)
            messages.success(request, "The logo has been removed.")
            return redirect("partnership:about", slug=slug)
        form = LogoForm(request.POST, request.FILES)
        if form.is_valid():
            set_logo(self.partnership, form.cleaned_data["logo"], form.cleaned_data["logo_alt"])
            messages.success(request, "The logo has been saved.")
            return redirect("partnership:about", slug=slug)
        return self._render(form)

    def _render(self, form):
        return render(self.request, "partnership/logo_form.html", {"form": form, "partnership": self.partnership})


class AuditHistory(PartnershipMixin, TemplateView):
    template_name = "partnership/audit.html"
    capability = "view_history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = partnership_history(self.partnership)
        return context


# --- The directory: organisations, people and sub-groups share one set of views. ------------------


class DirectoryMixin(PartnershipMixin):
    model = None
    form_class = None
    noun = ""
    list_url = ""

    def queryset(self):
        return self.model.objects.filter(partnership=self.partnership)

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def list_redirect(self):
        return redirect(f"partnership:{self.list_url}", slug=self.partnership.slug)

    def context(self, **extra):
        return {"partnership": self.partnership, "noun": self.noun, "list_url": self.list_url, **extra}


class DirectoryList(DirectoryMixin, View):
    capability = "view_directory"
    template = ""

    def get(self, request, slug):
        objects = self.queryset()
        return render(request, self.template, self.context(objects=objects))


class DirectoryDetail(DirectoryMixin, View):
    capability = "view_directory"
    template = ""

    def get(self, request, slug, pk):
        obj = self.get_object()
        history = self.history(obj) if self.access.can("view_history") else None
        return render(request, self.template, self.context(object=obj, history=history, **self.extra(obj)))

    def history(self, obj):
        return history_of(obj)

    def extra(self, obj):
        return {}


class DirectoryForm(DirectoryMixin, View):
    """Add (no pk) or change (pk) one object. The form keeps what was typed when it is wrong."""

    capability = "change_directory"
    template = "partnership/directory_form.html"

    def instance(self):
        return self.get_object() if "pk" in self.kwargs else self.model(partnership=self.partnership)

    def get(self, request, slug, pk=None):
        obj = self.instance()
        self.check(obj)
        return self._render(self.form_class(instance=obj, partnership=self.partnership), obj)

    def post(self, request, slug, pk=None):
        obj = self.instance()
        self.check(obj)
        form = self.form_class(request.POST, instance=obj, partnership=self.partnership)
        if form.is_valid():
            adding = obj.pk is None
            obj = form.save()
            messages.success(request, f"{obj} has been {'added' if adding else 'saved'}.")
            return redirect(obj.get_absolute_url())
        return self._render(form, obj)

    def check(self, obj):
        pass

    def _render(self, form, obj):
        return render(self.request, self.template, self.context(form=form, object=obj))


class DirectoryRemove(DirectoryMixin, View):
    capability = "change_directory"
    template = "partnership/confirm_remove.html"

    def get(self, request, slug, pk):
        obj = self.get_object()
        return render(request, self.template, self.context(object=obj, form=ConfirmRemoveForm(), consequences=self.consequences(obj)))

    def post(self, request, slug, pk):
        obj = self.get_object()
        form = ConfirmRemoveForm(request.POST)
        try:
            with transaction.atomic():
                name = str(obj)
                obj.delete()
        except ProtectedError:
            form.add_error(None, f"{obj} cannot be removed while people belong to it. Move or remove them first")
            return render(request, self.template, self.context(object=obj, form=form, consequences=self.consequences(obj)))
        except LastManagerError as exc:
            form.add_error(None, exc.messages[0])
            return render(request, self.template, self.context(object=obj, form=form, consequences=self.consequences(obj)))
        messages.success(request, f"{name} has been removed.")
        return self.list_redirect()

    def consequences(self, obj):
        return []


class OrganisationMixin:
    model = Organisation
    form_class = OrganisationForm
    noun = "organisation"
    list_url = "organisations"


class OrganisationList(OrganisationMixin, DirectoryList):
    template = "partnership/organisation_list.html"

    def queryset(self):
        return super().queryset().prefetch_related("people")


class OrganisationDetail(OrganisationMixin, DirectoryDetail):
    template = "partnership/organisation_detail.html"

    def extra(self, obj):
        return {"people": obj.people.all(), "can_change": self.access.can_change_organisation(obj)}


class OrganisationForm_(OrganisationMixin, DirectoryForm):
    def capability_for(self, request):
        # A partner officer may change their own organisation; adding one is the manager's job.
        return "change_own_organisation" if "pk" in self.kwargs else "change_directory"

    def check(self, obj):
        from django.core.exceptions import PermissionDenied

        if obj.pk and not self.access.can_change_organisation(obj):
            raise PermissionDenied("You may only change the organisation you act for.")


class OrganisationRemove(OrganisationMixin, DirectoryRemove):
    def consequences(self, obj):
        people = obj.people.count()
        return [f"{people} {'person belongs' if people == 1 else 'people belong'} to it and must be moved first"] if people else []


class PersonMixin:
    model = Person
    form_class = PersonForm
    noun = "person"
    list_url = "people"


class PersonList(PersonMixin, DirectoryList):
    template = "partnership/person_list.html"

    def queryset(self):
        return super().queryset().select_related("organisation").prefetch_related("roles", "roles__organisation")


class PersonDetail(PersonMixin, DirectoryDetail):
    template = "partnership/person_detail.html"

    def history(self, obj):
        role_records = Role.history.filter(person_id=obj.pk).select_related("history_user").order_by("-history_date")
        rows = history_of(obj) + _rows(role_records, Role, lambda r: f"Role: {r.get_kind_display()}")
        return sorted(rows, key=lambda r: r.when, reverse=True)

    def extra(self, obj):
        return {"roles": obj.roles.select_related("organisation"), "sub_groups": obj.sub_groups.all()}


class PersonForm_(PersonMixin, DirectoryForm):
    pass


class PersonRemove(PersonMixin, DirectoryRemove):
    def consequences(self, obj):
        result = [str(r) for r in obj.roles.all()]
        return [f"Their role as {r} will end" for r in result]


class SubGroupMixin:
    model = SubGroup
    form_class = SubGroupForm
    noun = "sub-group"
    list_url = "sub-groups"


class SubGroupList(SubGroupMixin, DirectoryList):
    template = "partnership/subgroup_list.html"

    def queryset(self):
        return super().queryset().select_related("chair").prefetch_related("members")


class SubGroupDetail(SubGroupMixin, DirectoryDetail):
    template = "partnership/subgroup_detail.html"

    def extra(self, obj):
        return {"members": obj.members.select_related("organisation")}


class SubGroupForm_(SubGroupMixin, DirectoryForm):
    pass


class SubGroupRemove(SubGroupMixin, DirectoryRemove):
    pass


# --- Roles and invitations ------------------------------------------------------------------------


class AddRole(PartnershipMixin, View):
    capability = "change_roles"

    def person(self):
        return get_object_or_404(Person, partnership=self.partnership, pk=self.kwargs["pk"])

    def get(self, request, slug, pk):
        person = self.person()
        return self._render(RoleForm(person=person), person)

    def post(self, request, slug, pk):
        person = self.person()
        form = RoleForm(request.POST, person=person)
        if form.is_valid():
            role = services.give_role(person, form.cleaned_data["kind"], form.cleaned_data["organisation"])
            messages.success(request, f"{person} is now {role}.")
            return redirect(person.get_absolute_url())
        return self._render(form, person)

    def _render(self, form, person):
        return render(
            self.request,
            "partnership/role_form.html",
            {"form": form, "person": person, "partnership": self.partnership, "descriptions": ROLE_DESCRIPTIONS.items()},
        )


class RemoveRole(PartnershipMixin, View):
    capability = "change_roles"

    def role(self):
        return get_object_or_404(Role.objects.select_related("person"), partnership=self.partnership, pk=self.kwargs["pk"])

    def get(self, request, slug, pk):
        role = self.role()
        return render(request, "partnership/role_remove.html", {"role": role, "partnership": self.partnership, "form": ConfirmRemoveForm()})

    def post(self, request, slug, pk):
        role = self.role()
        form = ConfirmRemoveForm(request.POST)
        problem = services.role_removal_problem(role)
        if problem:
            form.add_error(None, problem)
            return render(request, "partnership/role_remove.html", {"role": role, "partnership": self.partnership, "form": form})
        person = role.person
        try:
            role.delete()
        except LastManagerError as exc:
            # Another manager's role went in the meantime: the model refuses what the check above allowed.
            form.add_error(None, exc.messages[0])
            return render(request, "partnership/role_remove.html", {"role": role, "partnership": self.partnership, "form": form})
        messages.success(request, f"{person} is no longer {role}.")
        return redirect(person.get_absolute_url())


class Invitations(PartnershipMixin, View):
    capability = "invite"

    def get(self, request, slug):
        return self._render(InvitationForm(partnership=self.partnership))

    def post(self, request, slug):
        form = InvitationForm(request.POST, partnership=self.partnership)
        if form.is_valid():
            invitation = services.invite(
                self.partnership,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                kind=form.cleaned_data["kind"],
                organisation=form.cleaned_data["organisation"],
                accept_url=lambda token: request.build_absolute_uri(reverse("accept-invitation", kwargs={"token": token})),
            )
            messages.success(request, f"An invitation has been sent to {invitation.email}.")
            return redirect("partnership:invitations", slug=slug)
        return self._render(form)

    def _render(self, form):
        invitations = self.partnership.invitations.select_related("organisation", "invited_by")[:100]
        return render(
            self.request,
            "partnership/invitations.html",
            {"form": form, "partnership": self.partnership, "invitations": invitations, "now": timezone.now()},
        )


class RevokeInvitation(PartnershipMixin, View):
    capability = "invite"

    def post(self, request, slug, pk):
        invitation = get_object_or_404(Invitation.objects.pending(), partnership=self.partnership, pk=pk)
        services.revoke_invitation(invitation)
        messages.success(request, f"The invitation to {invitation.email} has been withdrawn.")
        return redirect("partnership:invitations", slug=slug)


def _after_joining(invitation) -> str:
    return reverse("operator:partnerships") if invitation.for_operator else invitation.partnership.get_absolute_url()


def accept_invitation(request, token):
    from django.contrib.auth import login

    from .forms import NewAccountForm

    invitation = Invitation.find(token)
    if invitation is None:
        return render(request, "partnership/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            return render(request, "partnership/invitation_wrong_user.html", {"invitation": invitation}, status=403)
        if request.method == "POST":
            services.accept_invitation(invitation, request.user)
            messages.success(request, f"You have joined {invitation.joins}.")
            return redirect(_after_joining(invitation))
        return render(request, "partnership/invitation_accept.html", {"invitation": invitation})
    existing = services.user_for_email(invitation.email)
    if existing is not None:
        # They already have an account: signing in proves who they are, then they accept.
        return redirect(f"{reverse('sign-in')}?next={request.path}")
    form = NewAccountForm(request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        user = services.create_account_from_invitation(invitation, form.cleaned_data["full_name"], form.cleaned_data["password"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Your account has been created and you have joined {invitation.joins}.")
        return redirect(_after_joining(invitation))
    return render(request, "partnership/invitation_new_account.html", {"invitation": invitation, "form": form})
