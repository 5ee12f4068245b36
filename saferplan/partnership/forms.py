from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from saferplan.forms import DateField, LinkField, PlainTextMixin

from .models import Invitation, Organisation, Partnership, Person, Role, RoleKind, SubGroup


class PartnershipForm(PlainTextMixin, forms.ModelForm):
    # No area codes: the area decides whose crime and partner data the partnership reads, so
    # changing it is the site operator's act (admin or command line, kept in the history).
    police_forces = forms.CharField(label="Police forces", help_text="Separated by commas", max_length=500)
    plan_start = DateField(label="Plan starts", required=False, help_text="For example, 1 4 2025")
    plan_end = DateField(label="Plan ends", required=False, help_text="For example, 31 3 2028")
    public_welsh = forms.TypedChoiceField(
        label="Offer public pages in Welsh", required=False, widget=forms.RadioSelect,
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
        choices=[("", "As the area decides (yes for a Welsh authority)"), ("yes", "Yes, in Welsh and English"),
                 ("no", "No, in English only")],
        help_text="Residents choose the language on the consultation pages and privacy notice.")

    class Meta:
        model = Partnership
        fields = ["name", "police_forces", "plan_start", "plan_end",
                  "contact_email", "contact_address", "data_controller", "retention_period", "public_welsh"]
        widgets = {"contact_address": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["police_forces"] = ", ".join(self.instance.police_forces)
            self.initial["public_welsh"] = {True: "yes", False: "no"}.get(self.instance.public_welsh, "")

    def clean_police_forces(self):
        forces = [f.strip() for f in self.cleaned_data["police_forces"].split(",") if f.strip()]
        if not forces:
            raise forms.ValidationError("Enter at least one police force")
        return forces

    def clean(self):
        data = super().clean()
        if data.get("plan_start") and data.get("plan_end") and data["plan_end"] <= data["plan_start"]:
            self.add_error("plan_end", "The plan must end after it starts")
        return data


class OrganisationForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "website"]
        labels = {"kind": "Type of organisation", "website": "Website (optional)"}

    website = LinkField(label="Website (optional)", required=False, max_length=200,
                        help_text="Starting with https://, for example https://www.melton.gov.uk")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["kind"].widget = forms.RadioSelect(choices=self.fields["kind"].choices[1:])
        self.fields["kind"].choices = self.fields["kind"].choices[1:]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Organisation.objects.filter(partnership=self.partnership, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"{name} is already in this partnership")
        return name


class PersonForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "email", "job_title", "organisation"]
        labels = {"full_name": "Full name", "email": "Email address", "job_title": "Job title (optional)"}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["organisation"].queryset = partnership.organisations.all()
        self.fields["organisation"].empty_label = "Select an organisation"
        self.fields["organisation"].required = True

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Person.objects.filter(partnership=self.partnership, email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Someone in this partnership already has this email address")
        return email


class SubGroupForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = SubGroup
        fields = ["name", "theme", "chair", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple, "theme": forms.Textarea(attrs={"rows": 3})}
        labels = {"chair": "Chair (optional)", "members": "Members"}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        people = partnership.people.select_related("organisation")
        self.fields["chair"].queryset = people
        self.fields["chair"].empty_label = "No chair yet"
        self.fields["members"].queryset = people
        self.fields["members"].label_from_instance = lambda p: f"{p.full_name}, {p.organisation}" if p.organisation else p.full_name
        self.fields["members"].required = False

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if SubGroup.objects.filter(partnership=self.partnership, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"There is already a sub-group called {name}")
        return name


class RoleFields(PlainTextMixin, forms.Form):
    """Role and, for a partner officer, the organisation they act for."""

    kind = forms.ChoiceField(label="Role", choices=RoleKind.choices, widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        label="Organisation they act for",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Only for a partner officer",
        empty_label="Select an organisation",
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["organisation"].queryset = partnership.organisations.all()

    def clean(self):
        data = super().clean()
        if data.get("kind") == RoleKind.PARTNER_OFFICER:
            if not data.get("organisation"):
                self.add_error("organisation", "Select the organisation this partner officer acts for")
        else:
            data["organisation"] = None
        return data


class RoleForm(RoleFields):
    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, partnership=person.partnership, **kwargs)
        self.person = person

    def clean(self):
        data = super().clean()
        if data.get("kind") and Role.objects.filter(
            person=self.person, kind=data["kind"], organisation=data.get("organisation")
        ).exists():
            raise forms.ValidationError(f"{self.person} already has this role")
        return data


class InvitationForm(RoleFields):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    field_order = ["full_name", "email", "kind", "organisation"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Invitation.objects.pending().filter(partnership=self.partnership, email=email).exists():
            raise forms.ValidationError("An invitation has already been sent to this email address")
        return email


class StageDoneForm(PlainTextMixin, forms.Form):
    """A stage's status comes from its data; the manager may only say it is done regardless."""

    done = forms.TypedChoiceField(
        label="Is this stage done?", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", "Yes, mark it done"), ("no", "No, show its status from the data")],
    )
    note = forms.CharField(label="Why (optional)", required=False, max_length=2000,
                           help_text="For example, the assessment was written outside Saferplan",
                           widget=forms.Textarea(attrs={"rows": 3}))


class SignInForm(forms.Form):
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "").replace("-", "").strip()


class NewAccountForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    password = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="At least 12 characters. Avoid common words and your name.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        if data.get("password"):
            from .models import User

            try:
                password_validation.validate_password(
                    data["password"], User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ConfirmRemoveForm(forms.Form):
    """A removal is a POST with nothing to fill in; the form exists for CSRF and the error summary."""


class LogoForm(PlainTextMixin, forms.Form):
    logo = forms.FileField(label="Logo", help_text="A PNG or JPEG file, at most 500 KB and 2000 pixels on each side. "
                                                   "It is shown on a white background, about 40 pixels high")
    logo_alt = forms.CharField(label="What the logo says or shows", max_length=200,
                               help_text="Read out to people who cannot see it, for example Melton Borough Council")

    def clean_logo(self):
        from .branding import checked_logo

        upload = self.cleaned_data["logo"]
        self.checked = checked_logo(upload)
        upload.seek(0)
        return upload
