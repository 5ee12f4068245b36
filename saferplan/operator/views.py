"""The site operator's pages under /operator/. Everyone but an operator gets 404 here, and these
pages show no partnership's data: names, areas, status, counts and dates only."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View

from saferplan.partnership.models import Invitation, Partnership, RoleKind

from . import services
from .forms import FindAuthorityForm, InviteManagerForm, NewPartnershipForm, ReasonForm

NEW = "operator:new-partnership"  # the areas chosen so far, in the operator's session


class OperatorView(View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        from saferplan.partnership.permissions import require_operator

        require_operator(request.user)
        return super().dispatch(request, *args, **kwargs)


class Partnerships(OperatorView):
    def get(self, request):
        return render(request, "operator/partnerships.html", {
            "rows": services.partnership_summaries(), "shared_records": services.shared_store_records()})


class NewPartnershipArea(OperatorView):
    """Step 1: the local authorities, found by name (a search that needs no JavaScript)."""

    def chosen(self) -> list[str]:
        return list(self.request.session.get(NEW, {}).get("areas", []))

    def keep(self, codes: list[str]) -> None:
        self.request.session[NEW] = {"areas": codes}

    def get(self, request):
        find = FindAuthorityForm(request.GET or None)
        results = services.find_authorities(find.cleaned_data["q"]) if find.is_valid() else []
        return self.page(find, results)

    def page(self, find, results, error=""):
        chosen = services.authorities_for(self.chosen())
        return render(self.request, "operator/new_area.html", {
            "find": find, "results": results, "chosen": chosen, "chosen_codes": {a.code for a in chosen},
            "searched": find.is_bound and find.is_valid() and find.cleaned_data["q"], "error": error})

    def post(self, request):
        codes = self.chosen()
        if "add" in request.POST:
            found = services.authorities_for([request.POST["add"]])
            if not found:
                raise Http404("No such local authority")
            if found[0].code not in codes:
                codes.append(found[0].code)
        elif "remove" in request.POST:
            codes = [c for c in codes if c != request.POST["remove"]]
        elif "continue" in request.POST:
            if not codes:
                return self.page(FindAuthorityForm(), [], error="Add at least one local authority the partnership covers")
            return redirect("operator:partnership-new-details")
        self.keep(codes)
        query = request.POST.get("q", "")
        return redirect(reverse("operator:partnership-new") + (f"?{urlencode({'q': query})}" if query else ""))


class NewPartnershipDetails(OperatorView):
    """Step 2: name, short name, police forces (from the crime data where loaded), plan period."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.areas = services.authorities_for(request.session.get(NEW, {}).get("areas", []))

    def form(self, data=None):
        found = services.forces_found([a.code for a in self.areas])
        initial = {"police_forces": [name for name, _ in found]}
        if len(self.areas) == 1:
            initial |= {"name": f"{self.areas[0].name} Community Safety Partnership", "slug": slugify(self.areas[0].name)}
        return NewPartnershipForm(data, initial=initial, force_choices=services.force_choices(found), found=dict(found))

    def get(self, request):
        if not self.areas:
            return redirect("operator:partnership-new")
        return self.page(self.form())

    def page(self, form):
        return render(self.request, "operator/new_details.html", {"form": form, "areas": self.areas})

    def post(self, request):
        if not self.areas:
            return redirect("operator:partnership-new")
        form = self.form(request.POST)
        if not form.is_valid():
            return self.page(form)
        data = form.cleaned_data
        try:
            partnership = services.create_partnership(
                name=data["name"], slug=data["slug"], areas=self.areas, police_forces=data["police_forces"],
                plan_start=data["plan_start"], plan_end=data["plan_end"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.page(form)
        request.session.pop(NEW, None)
        messages.success(request, f"{partnership.name} has been created. Now invite its first manager.")
        return redirect("operator:invite-manager", slug=partnership.slug)


class PartnershipPage(OperatorView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.partnership = get_object_or_404(Partnership, slug=kwargs["slug"])


class PartnershipDetail(PartnershipPage):
    def get(self, request, slug):
        summary = services.partnership_summaries([self.partnership])[0]
        history = self.partnership.history.select_related("history_user").order_by("-history_date")[:20]
        invitations = Invitation.objects.filter(partnership=self.partnership, kind=RoleKind.MANAGER)[:20]
        return render(request, "operator/partnership.html", {
            "p": self.partnership, "summary": summary, "history": history, "invitations": invitations,
            "now": timezone.now()})


class InviteManager(PartnershipPage):
    def get(self, request, slug):
        return self.page(InviteManagerForm())

    def page(self, form):
        return render(self.request, "operator/invite_manager.html", {"p": self.partnership, "form": form})

    def post(self, request, slug):
        form = InviteManagerForm(request.POST)
        if not form.is_valid():
            return self.page(form)
        try:
            invitation, _ = services.invite_manager(
                self.partnership, email=form.cleaned_data["email"], full_name=form.cleaned_data["full_name"],
                invited_by=request.user,
                accept_url=lambda token: request.build_absolute_uri(reverse("accept-invitation", kwargs={"token": token})))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.page(form)
        messages.success(request, f"An invitation to manage {self.partnership.name} has been emailed to {invitation.email}.")
        return redirect("operator:partnership", slug=slug)


class ChangeStatus(PartnershipPage):
    """Suspend or reactivate, with the reason kept in the partnership's history."""

    action = ""  # "suspend" or "reactivate"

    def get(self, request, slug):
        return self.page(ReasonForm())

    def page(self, form):
        return render(self.request, "operator/change_status.html",
                      {"p": self.partnership, "form": form, "action": self.action})

    def post(self, request, slug):
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                getattr(services, self.action)(self.partnership, form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                done = "suspended" if self.action == "suspend" else "reactivated"
                messages.success(request, f"{self.partnership.name} has been {done}.")
                return redirect("operator:partnership", slug=slug)
        return self.page(form)
