"""Pages for the partnership, its directory and the plan cycle. Thin: forms validate, services act."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from saferplan.core.pages import CreatePage, DetailPage, ListPage, PartnershipMixin, RemovePage, UpdatePage

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
    Stage,
    SubGroup,
)
from .permissions import partnerships_of
from .progress import own_work


def staff_home(request):
    """A member of one partnership goes straight to it; a member of several chooses."""
    partnerships = list(partnerships_of(request.user))
    if not partnerships and request.user.is_operator:
        return redirect("operator:partnerships")
    if len(partnerships) == 1 and not request.user.is_operator:
        return redirect(partnerships[0].get_absolute_url())
    return render(request, "partnership/choose.html", {"partnerships": partnerships})



class PartnershipHome(PartnershipMixin, TemplateView):
    template_name = "partnership/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stages"] = services.cycle_overview(self.partnership)
        context["own_work"] = own_work(self.access)
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


# --- The directory: organisations, people and sub-groups, on the shared page bases. ------------


class DirectoryPage:
    partnership_path = "partnership"
    list_name = ""  # the URL name of the list

    def list_url(self):
        return reverse(f"partnership:{self.list_name}", kwargs={"slug": self.partnership.slug})

    def form_kwargs(self):
        return {"partnership": self.partnership}


class DirectoryList(DirectoryPage, ListPage):
    capability = "view_directory"


class DirectoryDetail(DirectoryPage, DetailPage):
    capability = "view_directory"


class DirectoryAdd(DirectoryPage, CreatePage):
    capability = "change_directory"


class DirectoryEdit(DirectoryPage, UpdatePage):
    capability = "change_directory"


class DirectoryRemove(DirectoryPage, RemovePage):
    capability = "change_directory"


class OrganisationPage(DirectoryPage):
    model = Organisation
    form_class = OrganisationForm
    noun = "organisation"
    list_name = "organisations"


class OrganisationList(OrganisationPage, DirectoryList):
    template_name = "partnership/organisation_list.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("people")


class OrganisationDetail(OrganisationPage, DirectoryDetail):
    template_name = "partnership/organisation_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(people=self.object.people.all(),
                                        can_change=self.access.can_change_organisation(self.object), **kwargs)


class OrganisationAdd(OrganisationPage, DirectoryAdd):
    pass


class OrganisationEdit(OrganisationPage, DirectoryEdit):
    # A partner officer may change their own organisation; adding one is the manager's job.
    capability = "change_own_organisation"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.access.can_change_organisation(obj):
            raise PermissionDenied("You may only change the organisation you act for.")
        return obj


class OrganisationRemove(OrganisationPage, DirectoryRemove):
    def consequences(self, obj):
        people = obj.people.count()
        return [f"{people} {'person belongs' if people == 1 else 'people belong'} to it and must be moved first"] if people else []


class PersonPage(DirectoryPage):
    model = Person
    form_class = PersonForm
    noun = "person"
    list_name = "people"


class PersonList(PersonPage, DirectoryList):
    template_name = "partnership/person_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organisation").prefetch_related("roles", "roles__organisation")


class PersonDetail(PersonPage, DirectoryDetail):
    template_name = "partnership/person_detail.html"

    def history(self, obj):
        role_records = Role.history.filter(person_id=obj.pk).select_related("history_user").order_by("-history_date")
        rows = history_of(obj) + _rows(role_records, Role, lambda r: f"Role: {r.get_kind_display()}")
        return sorted(rows, key=lambda r: r.when, reverse=True)

    def get_context_data(self, **kwargs):
        return super().get_context_data(roles=self.object.roles.select_related("organisation"),
                                        sub_groups=self.object.sub_groups.all(), **kwargs)


class PersonAdd(PersonPage, DirectoryAdd):
    pass


class PersonEdit(PersonPage, DirectoryEdit):
    pass


class PersonRemove(PersonPage, DirectoryRemove):
    def consequences(self, obj):
        return [f"Their role as {r} will end" for r in obj.roles.all()]


class SubGroupPage(DirectoryPage):
    model = SubGroup
    form_class = SubGroupForm
    noun = "sub-group"
    list_name = "sub-groups"


class SubGroupList(SubGroupPage, DirectoryList):
    template_name = "partnership/subgroup_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("chair").prefetch_related("members")


class SubGroupDetail(SubGroupPage, DirectoryDetail):
    template_name = "partnership/subgroup_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(members=self.object.members.select_related("organisation"), **kwargs)


class SubGroupAdd(SubGroupPage, DirectoryAdd):
    pass


class SubGroupEdit(SubGroupPage, DirectoryEdit):
    pass


class SubGroupRemove(SubGroupPage, DirectoryRemove):
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
