"""Forms: one per question (public pages and paper entry), equality monitoring, and the staff's."""
from __future__ import annotations

from functools import cached_property

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saferplan.forms import DateField, PlainTextMixin, WholeNumberField

from . import equality, library
from .importer import FileRefused, read_upload
from .library import TEMPLATES
from .models import (
    MAX_OTHER,
    EngagementEvent,
    Option,
    Petition,
    Question,
    QuestionType,
    Representation,
    Section,
    Survey,
)


# Names the partnership's public pages use beside its surveys' (see public_urls.py).
RESERVED_SLUGS = {"privacy"}
SPOILT = "Spoilt (more boxes ticked than allowed)"


class QuestionForm(PlainTextMixin, forms.Form):
    """The answer to one question, validated the same way on every channel.

    On paper (``paper=True``) a choice question can also be marked spoilt: the form had more boxes
    ticked than allowed, so no choice can be recorded, and forcing it into the limit would invent one.
    """

    def __init__(self, question: Question, *args, initial_value: dict | None = None, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.options = list(question.options.all())
        q = question
        value = initial_value or {}
        if q.is_choice:
            choices = [(str(o.pk), o.label) for o in self.options]
            # Built while the page's language is active (public pages may be in Welsh).
            messages = {"required": _("Select an answer"), "invalid_choice": _("Select one of the options"),
                        "invalid_list": _("Select one of the options")}
            if q.is_multiple:
                self.fields["answer"] = forms.MultipleChoiceField(
                    label=q.text, choices=choices, required=q.required, widget=forms.CheckboxSelectMultiple,
                    help_text=q.hint, error_messages={**messages, "required": _("Select at least one option")})
                self.initial["answer"] = [str(i) for i in value.get("options", [])]
            else:
                self.fields["answer"] = forms.ChoiceField(
                    label=q.text, choices=choices, required=q.required, widget=forms.RadioSelect,
                    help_text=q.hint, error_messages=messages)
                self.initial["answer"] = str(value["options"][0]) if value.get("options") else None
            if any(o.is_other for o in self.options):
                self.fields["other"] = forms.CharField(
                    label=_("Please specify"), required=False, max_length=MAX_OTHER, strip=True,
                    error_messages={"max_length": _("What you enter for ‘Other’ must be %(limit)s characters or fewer")
                                    % {"limit": MAX_OTHER}})
                self.initial["other"] = value.get("other", "")
        else:
            self.fields["answer"] = forms.CharField(
                label=q.text, required=q.required, help_text=q.hint, strip=True, widget=forms.Textarea,
                max_length=q.max_length,
                error_messages={"required": _("Enter your answer"),
                                "max_length": _("Your answer must be %(limit)s characters or fewer")
                                % {"limit": f"{q.max_length:,}"}})
            self.initial["answer"] = value.get("text", "")
        if paper and q.is_choice:
            self.fields["spoilt"] = forms.BooleanField(label=SPOILT, required=False)
            self.initial["spoilt"] = bool(value.get("spoilt"))
            if self.is_bound and self["spoilt"].value():
                self.fields["answer"].required = False

    @property
    def other_option(self) -> Option | None:
        return next((o for o in self.options if o.is_other), None)

    @cached_property
    def limit_hint(self) -> str:
        # Once a form (the page asks for it three times): made in the language of the page.
        if self.question.is_multiple:
            return (_("Select up to %(limit)s") % {"limit": self.question.max_choices} if self.question.max_choices
                    else _("Select all that apply"))
        return ""

    def clean(self):
        data = super().clean()
        q = self.question
        other = self.other_option
        if not q.is_choice or "answer" not in data:
            return data
        if data.get("spoilt"):
            # The boxes ticked on a spoilt paper answer are no one's choice: none is recorded.
            data["answer"], data["other"] = ([] if q.is_multiple else ""), ""
            return data
        chosen = data["answer"] if q.is_multiple else ([data["answer"]] if data["answer"] else [])
        other_text = data.get("other", "")
        if other is not None and str(other.pk) not in chosen:
            # Without "Other" ticked the box is not an answer (it may be text left behind after
            # unticking): it neither counts towards the limit nor is saved.
            data["other"] = other_text = ""
        if q.is_multiple and q.max_choices and len(chosen) > q.max_choices:
            self.add_error("answer", _("Select no more than %(limit)s options. You selected %(chosen)s")
                           % {"limit": q.max_choices, "chosen": len(chosen)}
                           + (f". If the paper form has {len(chosen)} ticked, mark it as spoilt" if "spoilt" in self.fields else ""))
        if other is not None and str(other.pk) in chosen and not other_text:
            self.add_error("other", _("Enter what your ‘Other’ answer is"))
        return data

    def value(self) -> dict:
        """The answer as the session and ``services.record`` hold it."""
        data = self.cleaned_data
        if data.get("spoilt"):
            return {"options": [], "other": "", "spoilt": True}
        if self.question.is_choice:
            answer = data.get("answer")
            chosen = answer if isinstance(answer, list) else ([answer] if answer else [])
            return {"options": [int(c) for c in chosen], "other": data.get("other", "")}
        return {"text": data.get("answer", "")}

    def option_rows(self):
        """Options with their input ids and whether they are chosen, for the template."""
        if not self.question.is_choice:
            return []
        bound = self["answer"]
        current = bound.value()
        selected = {str(v) for v in current} if isinstance(current, (list, tuple)) else {str(current or "")}
        first = bound.auto_id
        # Plain values, not the option: the page reads each several times per option, and a
        # dictionary's key is the template engine's quickest lookup (an attribute is its last).
        return [{"option": o, "label": o.label, "is_other": o.is_other, "value": str(o.pk),
                 "id": first if i == 0 else f"{first}-{i}", "selected": str(o.pk) in selected}
                for i, o in enumerate(self.options)]


def error_list(*question_forms) -> list[dict]:
    """Error summary entries for forms shown together on one page."""
    errors = []
    for form in question_forms:
        for name, messages in form.errors.items():
            anchor = f"#{form[name].auto_id}" if name != "__all__" else ""
            for message in messages:
                errors.append({"href": anchor, "message": message})
    return errors


class EqualityForm(PlainTextMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for q in equality.QUESTIONS:
            self.fields[q["code"]] = forms.ChoiceField(
                label=q["text"], required=False, widget=forms.RadioSelect,
                choices=[(o, o) for o in q["options"]], error_messages={"invalid_choice": "Select one of the options"})


class WantEqualityForm(PlainTextMixin, forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("Do you want to answer the equality questions?"), widget=forms.RadioSelect,
        choices=[("yes", gettext_lazy("Yes, answer the equality questions (takes 2 minutes)")),
                 ("no", gettext_lazy("No, skip the equality questions"))],
        error_messages={"required": gettext_lazy("Select whether you want to answer the equality questions")})


class SubmitForm(PlainTextMixin, forms.Form):
    # Hidden from people (by a class, not by type=hidden); software filling every field fills it.
    website = forms.CharField(required=False, max_length=200, label="Leave this box empty")


# Shown only to partnerships that offer Welsh (SurveyForm drops them otherwise).
WELSH_SURVEY_FIELDS = ["title_cy", "purpose_cy", "can_influence_cy", "cannot_influence_cy", "how_results_used_cy",
                       "contact_cy"]


class SurveyForm(PlainTextMixin, forms.ModelForm):
    opens_on = DateField(label="Opens", help_text="For example, 10 7 2024")
    closes_on = DateField(label="Closes", help_text="For example, 2 10 2024")
    purge_on = DateField(label="Delete personal data on", required=False,
                         help_text="After the survey closes. Contact details, equality answers and identifying free text are deleted that day.")

    class Meta:
        model = Survey
        fields = ["title", "slug", "audience", "purpose", "can_influence", "cannot_influence", "how_results_used", "contact",
                  "opens_on", "closes_on", "purge_on", "equality_monitoring", "published", *WELSH_SURVEY_FIELDS]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in
                   ["purpose", "can_influence", "cannot_influence", "how_results_used", "contact",
                    *WELSH_SURVEY_FIELDS[1:]]}

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        owner = partnership or (self.instance.partnership if self.instance.partnership_id else None)
        if owner is None or not owner.offers_welsh:
            for name in WELSH_SURVEY_FIELDS:
                self.fields.pop(name, None)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Used in the web address; leave empty to make one from the title"

    # What residents must read before answering: a published survey cannot leave them out.
    PACK = {"purpose": "what the consultation is for", "can_influence": "what people can influence",
            "how_results_used": "how the results will be used and published"}

    def clean(self):
        data = super().clean()
        if data.get("published"):
            for name, what in self.PACK.items():
                if name in self.fields and not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, f"Enter {what} before publishing the survey")
            if not self.instance.pk or not self.instance.questions.exists():
                self.add_error("published", "Add at least one question before publishing the survey")
            else:
                for item in library.still_to_edit(self.instance):
                    self.add_error("published", f"Before publishing, change {item['where']} of {item['question'].code} "
                                                f"(“{item['text'][:80]}”): {item['why']}")
        return data

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("title", ""))[:80]
        clash = Survey.objects.filter(partnership=self.partnership, slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another survey already uses this web address")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is used by another page: choose another web address name")
        if not slug:
            raise forms.ValidationError("Enter a web address name, for example community-safety-2024")
        return slug


class NewSurveyForm(SurveyForm):
    template = forms.ChoiceField(
        label="Start from", widget=forms.RadioSelect, initial="blank",
        choices=[("blank", "A blank survey")] + [(k, v) for k, v in TEMPLATES.items() if k != "equality"])
    add_area = forms.BooleanField(label="Add a question asking which ward people live in", required=False, initial=True)

    class Meta(SurveyForm.Meta):
        fields = ["title", "slug", "opens_on", "closes_on", "purge_on", "equality_monitoring"]


class CopySurveyForm(PlainTextMixin, forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(label="Web address name", max_length=80)

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Survey.objects.filter(partnership=self.partnership, slug=slug).exists():
            raise forms.ValidationError("Another survey already uses this web address")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is used by another page: choose another web address name")
        return slug


class SectionForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "introduction", "title_cy", "introduction_cy", "order"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3}), "introduction_cy": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"order": WholeNumberField}

    def __init__(self, *args, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        survey = survey or (self.instance.survey if self.instance.survey_id else None)
        if survey is None or not survey.partnership.offers_welsh:
            self.fields.pop("title_cy")
            self.fields.pop("introduction_cy")


class QuestionEditForm(PlainTextMixin, forms.ModelForm):
    options_text = forms.CharField(
        label="Options", required=False, widget=forms.Textarea(attrs={"rows": 8}), max_length=20000,
        help_text="One option a line. Not needed for yes/no, area or free-text questions.")
    type = forms.ChoiceField(label="Type of question", choices=QuestionType.choices, widget=forms.RadioSelect)
    options_text_cy = forms.CharField(
        label="Options in Welsh", required=False, widget=forms.Textarea(attrs={"rows": 8}), max_length=20000,
        help_text="One option a line, in the same order as the options above. Answers are counted by option, "
                  "whichever language the resident chose.")

    class Meta:
        model = Question
        fields = ["section", "code", "text", "hint", "text_cy", "hint_cy", "type", "options_text", "options_text_cy",
                  "required", "max_choices", "allow_other", "max_length", "order", "show_if_option"]
        field_classes = {"max_choices": WholeNumberField, "max_length": WholeNumberField, "order": WholeNumberField}

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.instance.survey = survey
        self.fields["section"].queryset = survey.sections.all()
        self.fields["section"].empty_label = None
        options = Option.objects.filter(question__survey=survey).exclude(question__type=QuestionType.TEXT)
        if self.instance.pk:
            options = options.exclude(question=self.instance)
        # In the survey's order, so each question's answers can be shown together under it.
        self.fields["show_if_option"].queryset = options.select_related("question").order_by(
            "question__section__order", "question__order", "question__pk", "order", "pk")
        self.fields["show_if_option"].label_from_instance = lambda o: f"{o.question.code}: {o.label}"
        self.fields["show_if_option"].label = "Show only to people who answered"
        self.fields["show_if_option"].empty_label = "Everyone (no routing)"
        if self.instance.pk and not self.is_bound:
            self.initial["options_text"] = "\n".join(o.label for o in self.instance.options.filter(is_other=False))
            self.initial["options_text_cy"] = "\n".join(
                o.label_cy for o in self.instance.options.filter(is_other=False)).strip()
        if not survey.partnership.offers_welsh:
            for name in ("text_cy", "hint_cy", "options_text_cy"):
                self.fields.pop(name)

    def routing_groups(self) -> list[dict]:
        """The routing choices grouped by question (an optgroup each), never interleaved."""
        chosen = str(self["show_if_option"].value() or "")
        groups: list[dict] = []
        for option in self.fields["show_if_option"].queryset:
            q = option.question
            if not groups or groups[-1]["question"] != q.pk:
                groups.append({"question": q.pk, "label": f"{q.code}: {q.text[:70]}", "options": []})
            groups[-1]["options"].append({"value": option.pk, "label": option.label, "selected": str(option.pk) == chosen})
        return groups

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.survey.questions.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another question in this survey has this code")
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("type")
        labels = [line.strip() for line in data.get("options_text", "").splitlines() if line.strip()]
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.SCALE) and len(labels) < 2:
            self.add_error("options_text", "Enter at least 2 options, one a line")
        if len(set(labels)) != len(labels):
            self.add_error("options_text", "Each option must be different")
        if any(len(label) > 300 for label in labels):
            self.add_error("options_text", "Each option must be 300 characters or fewer")
        data["labels"] = labels
        welsh = [line.strip() for line in data.get("options_text_cy", "").splitlines() if line.strip()]
        if welsh and len(welsh) != len(labels):
            self.add_error("options_text_cy", f"Enter the Welsh options in the same order as the English ones: "
                                              f"{len(labels)} in English, {len(welsh)} in Welsh")
        if any(len(label) > 300 for label in welsh):
            self.add_error("options_text_cy", "Each Welsh option must be 300 characters or fewer")
        data["labels_cy"] = welsh
        return data


class EventForm(PlainTextMixin, forms.ModelForm):
    date = DateField(label="Date")
    starts_at = forms.TimeField(label="Starts at", required=False, help_text="For example, 10:00",
                                error_messages={"invalid": "Enter the start time like 10:00"})
    ends_at = forms.TimeField(label="Ends at", required=False, help_text="For example, 13:30",
                              error_messages={"invalid": "Enter the end time like 13:30"})

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The end time must be after the start time")
        return data

    class Meta:
        model = EngagementEvent
        fields = ["date", "starts_at", "ends_at", "kind", "place", "organisation", "participants", "summary"]
        widgets = {"kind": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 6})}
        field_classes = {"participants": WholeNumberField}


class RepresentationForm(PlainTextMixin, forms.ModelForm):
    received_on = DateField(label="Received on")
    kind = forms.ChoiceField(label="Type", choices=Representation.Kind.choices, widget=forms.RadioSelect)

    class Meta:
        model = Representation
        fields = ["kind", "received_on", "sender_name", "sender_organisation", "sender_contact", "text", "attachment"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def clean_attachment(self):
        f = self.cleaned_data.get("attachment")
        if f and getattr(f, "size", 0) > 10 * 1024 * 1024:
            raise forms.ValidationError("The attachment must be smaller than 10MB")
        if f and not f.name.lower().endswith((".pdf", ".docx", ".doc", ".txt", ".jpg", ".jpeg", ".png", ".eml", ".odt")):
            raise forms.ValidationError("The attachment must be a PDF, Word, text, email or image file")
        return f


class PetitionForm(PlainTextMixin, forms.ModelForm):
    received_on = DateField(label="Received on")

    class Meta:
        model = Petition
        fields = ["title", "signatures", "received_on", "lead_petitioner", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"signatures": WholeNumberField}


class ContactForm(PlainTextMixin, forms.Form):
    contact_name = forms.CharField(label="Name (if given on the form)", required=False, max_length=200)
    contact_email = forms.EmailField(label="Email address (if given on the form)", required=False)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="Exported from another survey platform, one response a row")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 20MB")
        name = f.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        try:
            return name, read_upload(name, f.read())
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from None


class ReviewForm(PlainTextMixin, forms.Form):
    status = forms.ChoiceField(label="Decision", widget=forms.RadioSelect, choices=[
        ("accepted", "Count this response"), ("excluded", "Exclude this response from the results")])
    note = forms.CharField(label="Reason", max_length=500, required=False)


class ConfirmForm(PlainTextMixin, forms.Form):
    confirm = forms.BooleanField(label="I understand this cannot be undone", error_messages={"required": "Confirm that you understand this cannot be undone"})
