from __future__ import annotations

from django import forms

from saferplan.forms import DateField, PlainTextMixin


class FindAuthorityForm(forms.Form):
    q = forms.CharField(label="Find a local authority", max_length=100, required=False,
                        help_text="Part of its name, like Melton or Rhondda, or its code, like E07000133")


class NewPartnershipForm(PlainTextMixin, forms.Form):
    name = forms.CharField(label="Partnership name", max_length=200,
                           help_text="As residents know it, for example Melton Community Safety Partnership")
    slug = forms.SlugField(label="Short name for web addresses", max_length=60,
                           help_text="Lower-case letters, numbers and hyphens, for example melton. "
                                     "It cannot be changed later")
    police_forces = forms.MultipleChoiceField(label="Police forces serving the area", widget=forms.CheckboxSelectMultiple)
    plan_start = DateField(label="Plan starts (optional)", required=False,
                           help_text="For example, 1 4 2026. Leave empty for the next 1 April")
    plan_end = DateField(label="Plan ends (optional)", required=False, help_text="For example, 31 3 2029")

    def __init__(self, *args, force_choices: list[str], found: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["police_forces"].choices = [
            (name, f"{name} ({found[name]:,} records in the area)" if name in found else name) for name in force_choices]
        self.fields["police_forces"].help_text = (
            "Ticked: the forces whose records fall in the area in the crime data loaded. Check them"
            if found else "No crime data for this area has been loaded yet, so choose the forces yourself")
        self.fields["slug"].error_messages["invalid"] = (
            "The short name can only have lower-case letters, numbers and hyphens, like north-west-leics")

    def clean(self):
        from .services import check_new_partnership

        data = super().clean()
        for field, message in check_new_partnership(name=data.get("name", ""), slug=data.get("slug", "")).items():
            if field not in self.errors:
                self.add_error(field, message)
        start, end = data.get("plan_start"), data.get("plan_end")
        if bool(start) != bool(end) and not self.errors.get("plan_start") and not self.errors.get("plan_end"):
            self.add_error("plan_end" if start else "plan_start", "Enter both the start and the end of the plan, or neither")
        elif start and end and end <= start:
            self.add_error("plan_end", "The plan must end after it starts")
        return data


class InviteManagerForm(PlainTextMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class ReasonForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Kept in the partnership’s history and shown to its members")
