"""Pages inside a partnership: the one way to list, show, add, change and remove its records.

Built on Django's generic views (decision record ``docs/adr/00NN-core-page-bases.md``).
:class:`PartnershipMixin` resolves the partnership from the URL and checks a named capability
(:mod:`saferplan.partnership.permissions`: a non-member gets 404, a member without the
capability 403). The object pages find objects only inside that partnership, so another
partnership's record is a 404 too. A subclass names its ``model``, the path from it to its
partnership (``partnership_path``), a ``noun``, and where the person goes back to; it may define
``editable(obj)`` to refuse changes to something that is frozen (an adopted plan's parts).

Every change made through them is saved with its history change reason (the audit history says
which page did it), answered by a success message, and refused with a message saying why: a
removal blocked by something that still uses the object names that something.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.forms import Form
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, ListView, UpdateView

from saferplan.partnership.permissions import access_for

# django-simple-history's history_change_reason column.
CHANGE_REASON_LENGTH = 100


class PartnershipMixin:
    """Resolves the partnership from the URL (``slug``) and checks the signed-in user's roles in it."""

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
        context.setdefault("partnership", self.partnership)
        context.setdefault("access", self.access)
        return context


def a_or_an(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class PartnershipObjectMixin(PartnershipMixin):
    """One kind of record of the partnership."""

    model = None
    partnership_path = "partnership"  # the lookup from the model to its partnership
    noun = ""
    context_object_name = "object"

    def get_queryset(self):
        return self.model._default_manager.filter(**{self.partnership_path: self.partnership})

    def list_url(self) -> str:
        """Where the records of this kind are listed: the back link of a new one."""
        raise NotImplementedError

    def back_url(self, obj) -> str:
        if obj is not None and obj.pk and hasattr(obj, "get_absolute_url"):
            return obj.get_absolute_url()
        return self.list_url()

    def editable(self, obj) -> bool:
        """Whether ``obj`` may be changed or removed now; a page that refuses says
        :meth:`not_editable_message` and goes to :meth:`not_editable_url`."""
        return True

    def not_editable_message(self, obj) -> str:
        return f"This {self.noun} cannot be changed now."

    def not_editable_url(self, obj) -> str:
        return self.back_url(obj)

    def refuse(self, obj):
        messages.warning(self.request, self.not_editable_message(obj))
        return HttpResponseRedirect(self.not_editable_url(obj))

    def change_reason(self, action: str, obj) -> str:
        return f"{capfirst(self.noun)} {action} through the page at {self.request.path}"[:CHANGE_REASON_LENGTH]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(noun=self.noun, back_url=self.back_url(getattr(self, "object", None)))
        return context


class ListPage(PartnershipObjectMixin, ListView):
    context_object_name = "objects"

    def back_url(self, obj):
        return self.partnership.get_absolute_url()


class DetailPage(PartnershipObjectMixin, DetailView):
    """One record, with its audit history for those who may see it."""

    def back_url(self, obj):
        return self.list_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.history(self.object) if self.access.can("view_history") else None
        return context

    def history(self, obj):
        from saferplan.partnership.audit import history_of

        return history_of(obj)


class FormPageMixin(SuccessMessageMixin, PartnershipObjectMixin):
    """Add or change one record with a ModelForm: the form keeps what was typed when it is wrong,
    with an error summary; a refusal by the model (a ``ValidationError`` from ``save``) is shown
    as an error on the form rather than lost."""

    template_name = "core/form.html"
    action = ""  # "added" or "saved", for the success message and the audit

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(self.form_kwargs())
        return kwargs

    def form_kwargs(self) -> dict:
        """Extra arguments for the form (``partnership=...``)."""
        return {}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is not None and not self.editable(self.object):
            return self.refuse(self.object)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is not None and not self.editable(self.object):
            return self.refuse(self.object)
        form = self.get_form()
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_valid(self, form):
        form.instance._change_reason = self.change_reason(self.action, form.instance)
        try:
            with transaction.atomic():
                self.object = self.save(form)
        except ValidationError as refused:
            if not self.editable(form.instance):
                return self.refuse(form.instance)
            for message in refused.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(form.cleaned_data))
        return HttpResponseRedirect(self.get_success_url())

    def save(self, form):
        """Save the form's object (a subclass calls a service here); returns the object."""
        return form.save()

    def get_success_message(self, cleaned_data):
        if self.success_message:
            return super().get_success_message(cleaned_data)
        return f"{capfirst(self.noun)} “{self.object}” has been {self.action}."

    def heading(self) -> str:
        return f"Change {self.noun}" if self.object is not None and self.object.pk else f"Add {a_or_an(self.noun)}"

    def button(self) -> str:
        return "Save changes" if self.object is not None and self.object.pk else f"Add {self.noun}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(heading=self.heading(), button=self.button(), caption=self.caption())
        return context

    def caption(self) -> str:
        return self.partnership.name


class CreatePage(FormPageMixin, CreateView):
    action = "added"

    def get_object(self, queryset=None):
        return None

    def new_object(self):
        """The unsaved record the form fills in, already in the partnership."""
        return self.model(**{self.partnership_path: self.partnership}) if "__" not in self.partnership_path else self.model()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.new_object()
        return kwargs

    def get(self, request, *args, **kwargs):
        self.object = None
        if not self.editable(self.new_object()):
            return self.refuse(self.new_object())
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = None
        form = self.get_form()
        if not self.editable(form.instance):
            return self.refuse(form.instance)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)


class UpdatePage(FormPageMixin, UpdateView):
    action = "saved"


class RemovePage(SuccessMessageMixin, PartnershipObjectMixin, DeleteView):
    """Confirm, then remove one record. What the removal takes with it is listed
    (:meth:`consequences`); a removal that the database or the model refuses is answered on the
    page with the reason, naming what still uses the record."""

    template_name = "core/confirm_remove.html"

    def get_form_class(self):
        # The confirmation is a POST with nothing to fill in (its form carries the CSRF token and
        # the error summary), whatever form_class the record's pages share for adding and changing.
        return Form

    def after_url(self, obj) -> str:
        return self.list_url()

    def consequences(self, obj) -> list[str]:
        return []

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.editable(self.object):
            return self.refuse(self.object)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.editable(self.object):
            return self.refuse(self.object)
        return self.form_valid(self.get_form())

    def form_valid(self, form):
        obj, after = self.object, self.after_url(self.object)
        name = str(obj)
        obj._change_reason = self.change_reason("removed", obj)
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as blocked:
            form.add_error(None, still_used_message(obj, blocked.protected_objects if isinstance(blocked, ProtectedError)
                                                     else blocked.restricted_objects))
            return self.form_invalid(form)
        except ValidationError as refused:
            if not self.editable(obj):
                return self.refuse(obj)
            for message in refused.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message or f"{capfirst(self.noun)} “{name}” has been removed.")
        return HttpResponseRedirect(after)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consequences"] = self.consequences(self.object)
        return context


def still_used_message(obj, users) -> str:
    """'Police cannot be removed while these depend on it: 2 people (Ann Smith, Bob Jones). Remove
    or change them first' — the blocking records named, a few of each kind at most."""
    groups: dict = {}
    for user in users:
        groups.setdefault(type(user)._meta, []).append(str(user))
    parts = []
    for meta, names in groups.items():
        noun = meta.verbose_name if len(names) == 1 else meta.verbose_name_plural
        shown = ", ".join(sorted(names)[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{len(names)} {noun} ({shown})")
    return f"{obj} cannot be removed while these depend on it: {'; '.join(parts)}. Remove or change them first"


class ActionPage(PartnershipMixin, View):
    """A form that is not one record's fields (opening a round of returns, a return with its spend
    lines, a review, the risk matrix): shown on GET, kept with its errors on POST, acted on by a
    service through ``act`` when valid. A service's ValidationError is shown against the form's
    fields, as the form's own errors are. A stage gives ``context()`` its own navigation."""

    template = "core/form.html"
    heading = ""
    button = "Save"

    def make_form(self, data=None):
        raise NotImplementedError

    def act(self, form):
        """Do the work; return the address to go to next."""
        raise NotImplementedError

    def page(self) -> dict:
        return {}

    def context(self, **extra):
        return {"partnership": self.partnership, "access": self.access, **extra}

    def get(self, request, *args, **kwargs):
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    return redirect(self.act(form))
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for name, problems in errors.items():
                    form.add_error(name if name in form.fields else None, problems)
        return self.render_form(form)

    def render_form(self, form):
        return render(self.request, self.template, self.context(form=form, heading=self.heading,
                                                                button=self.button, **self.page()))
