from __future__ import annotations

from datetime import date

from django import forms

from saferplan.core.periods import add_months, period_of
from saferplan.forms import DateField, LinkField, MoneyField, NumberField, PlainTextMixin, WholeNumberField

from . import evidence_sources
from .models import (
    KPI,
    Action,
    ApprovalStep,
    CandidateIssue,
    EIAAction,
    EIARow,
    EqualityImpactAssessment,
    EvidenceKind,
    Plan,
    PlanComment,
    PrioritisationWeights,
    Priority,
    Theme,
    Workshop,
    WorkshopPoint,
    YouSaidSuggestion,
    YouSaidWeDid,
)

POLICE_CATEGORIES = [
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
]


def _radios(form, name, choices=None):
    field = form.fields[name]
    choices = list(choices if choices is not None else field.choices)
    choices = [c for c in choices if c[0] != ""] if not getattr(field, "_keep_blank", False) else choices
    field.widget = forms.RadioSelect(choices=choices)
    field.choices = choices


class PlanForm(PlainTextMixin, forms.ModelForm):
    starts_on = DateField(label="Plan starts", help_text="Plans usually start on 1 April, for example 1 4 2025")
    ends_on = DateField(label="Plan ends", help_text="Three years later, for example 31 3 2028")

    class Meta:
        model = Plan
        fields = ["title", "starts_on", "ends_on", "vision", "introduction"]
        labels = {"vision": "Vision (optional)", "introduction": "Introduction (optional)"}
        widgets = {"introduction": forms.Textarea(attrs={"rows": 8})}

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", "The plan must end after it starts")
        return data


class ThemeForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["title", "description"]
        labels = {"title": "Theme", "description": "Description (optional)"}
        help_texts = {"title": "For example, Place: public place safety and reassurance"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class EvidenceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class EvidencePickerMixin:
    """Adds checkboxes for the evidence that can be cited, and one other piece typed in."""

    def add_evidence_fields(self, items, label="Evidence behind it", required=False):
        self.evidence_items = {i.key: i for i in items}
        self.fields["evidence"] = EvidenceField(
            label=label, required=required,
            choices=[(i.key, f"{i.kind_label}: {i.title}") for i in items],
            help_text="Select everything this rests on: accepted assessment findings, consultation results and "
                      "workshop points." if items else "There is nothing to cite yet: accept findings in the "
                      "assessment, or record workshops, to cite them here.")
        self.fields["other_title"] = forms.CharField(label="Other evidence (optional)", required=False,
                                                     max_length=500, help_text="For example, a partner’s report")
        self.fields["other_url"] = LinkField(label="Its web address (optional)", required=False, max_length=500,
                                             help_text="Starting with https://, or a page on this site starting with /")

    def chosen_items(self):
        items = [self.evidence_items[k] for k in self.cleaned_data.get("evidence", []) if k in self.evidence_items]
        title = (self.cleaned_data.get("other_title") or "").strip()
        if title:
            items.append(evidence_sources.Item(EvidenceKind.OTHER, title, (self.cleaned_data.get("other_url") or "").strip()))
        return items


class PriorityForm(PlainTextMixin, EvidencePickerMixin, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["theme", "title", "description", "outcome", "issue"]
        labels = {"title": "Priority", "description": "Why this is a priority",
                  "outcome": "What success looks like (optional)", "issue": "Issue it answers (optional)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, plan, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = plan.themes.all()
        self.fields["theme"].empty_label = None
        self.fields["theme"].widget = forms.RadioSelect(choices=self.fields["theme"].choices)
        self.fields["issue"].queryset = CandidateIssue.objects.filter(partnership=plan.partnership)
        self.fields["issue"].empty_label = "None"
        self.fields["description"].required = True
        if items is not None:
            self.add_evidence_fields(list(items))


class EvidenceForm(PlainTextMixin, EvidencePickerMixin, forms.Form):
    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_evidence_fields(list(items), label="Evidence to cite")

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("evidence") and not (data.get("other_title") or "").strip():
            raise forms.ValidationError("Select the evidence to cite, or give its title")
        return data


class ActionForm(PlainTextMixin, forms.ModelForm):
    starts_on = DateField(label="Start date (optional)", required=False, help_text="For example, 1 4 2025")
    due_on = DateField(label="Due date", help_text="For example, 31 3 2026")

    class Meta:
        model = Action
        fields = ["title", "description", "owner", "lead", "sub_group", "starts_on", "due_on", "funding_source",
                  "funding_detail", "funding_amount"]
        labels = {"title": "Action", "description": "Description (optional)", "lead": "Lead person (optional)",
                  "sub_group": "Sub-group (optional)", "funding_source": "Funding",
                  "funding_detail": "Funding detail (optional)", "funding_amount": "Amount in pounds (optional)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "funding_amount": forms.TextInput(attrs={"inputmode": "decimal"})}
        field_classes = {"funding_amount": MoneyField}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["owner"].queryset = partnership.organisations.all()
        self.fields["owner"].empty_label = "Select an organisation"
        self.fields["lead"].queryset = partnership.people.select_related("organisation")
        self.fields["lead"].label_from_instance = lambda p: f"{p.full_name}, {p.organisation}" if p.organisation else p.full_name
        self.fields["lead"].empty_label = "No lead named yet"
        self.fields["sub_group"].queryset = partnership.sub_groups.all()
        self.fields["sub_group"].empty_label = "None"
        field = self.fields["funding_source"]
        field.choices = list(field.choices)[1:] if list(field.choices)[0][0] == "" and list(field.choices)[1][0] == "" else field.choices
        field.widget = forms.RadioSelect(choices=field.choices)
        field.required = False

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("due_on") and data["due_on"] < data["starts_on"]:
            self.add_error("due_on", "The due date must be on or after the start date")
        if data.get("funding_amount") is not None and not data.get("funding_source"):
            self.add_error("funding_source", "Select where the funding comes from")
        return data


class KPIForm(PlainTextMixin, forms.ModelForm):
    measure_category = forms.ChoiceField(label="Police.uk category", required=False,
                                         choices=[("", "Select a category")] + [(c, c) for c in POLICE_CATEGORIES])

    class Meta:
        model = KPI
        fields = ["title", "unit", "baseline", "baseline_period", "target", "target_text", "direction", "frequency",
                  "source", "measure_kind", "measure_category", "measure_dataset", "measure_name"]
        labels = {"baseline": "Baseline (optional)",
                  "baseline_period": "Baseline period (optional)", "target": "Target (optional)",
                  "target_text": "Target in words (optional)", "measure_dataset": "Partner dataset (optional)",
                  "measure_name": "Partner measure (optional)"}
        help_texts = {"title": "For example, anti-social behaviour records in the borough per quarter"}
        widgets = {"baseline": forms.TextInput(attrs={"inputmode": "decimal"}),
                   "target": forms.TextInput(attrs={"inputmode": "decimal"})}
        field_classes = {"baseline": NumberField, "target": NumberField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("unit", "direction", "frequency"):
            _radios(self, name)
        kind = self.fields["measure_kind"]
        kind.widget = forms.RadioSelect(choices=list(kind.choices)[1:] if list(kind.choices)[0] == list(kind.choices)[1] else kind.choices)
        kind.choices = kind.widget.choices
        kind.required = False

    def clean(self):
        data = super().clean()
        kind = data.get("measure_kind")
        if kind == "police" and not data.get("measure_category"):
            self.add_error("measure_category", "Select the police.uk category the KPI counts")
        if kind == "partner" and not (data.get("measure_dataset") and data.get("measure_name")):
            self.add_error("measure_name", "Enter the partner dataset and measure the KPI counts")
        return data


class KPIValueForm(PlainTextMixin, forms.Form):
    period = forms.ChoiceField(label="Period", error_messages={
        "invalid_choice": "Choose a reporting period that has ended and is in the plan’s period",
        "required": "Choose the reporting period the value is for"})
    value = NumberField(label="Value", max_digits=14, decimal_places=2,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)
    reason = forms.CharField(label="Reason for the correction (if the period already has a value)", required=False,
                             max_length=500, help_text="For example, the partner re-ran its figures for the quarter")

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {p[0].isoformat(): p for p in periods}
        self.fields["period"].choices = [("", "Select a period")] + [(k, p[2]) for k, p in self.periods.items()]


class ConcernSourceForm(forms.Form):
    question = forms.TypedChoiceField(
        label="Which survey question do the public concern figures come from?", coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the survey question the public concern figures come from"})

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            (q.pk, f"{q.survey.title}: “{q.text}” ({q.answered:,} answered)") for q in questions]


class WeightsForm(forms.ModelForm):
    class Meta:
        model = PrioritisationWeights
        fields = ["volume", "trend", "harm", "concern", "partner", "judgement"]
        widgets = {name: forms.NumberInput(attrs={"inputmode": "numeric"}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.help_text = "0 to 10"
            f.min_value, f.max_value = 0, 10

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.values()):
            raise forms.ValidationError("At least one weight must be more than 0")
        return data


class LinesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class CandidateIssueForm(PlainTextMixin, forms.ModelForm):
    police_categories = forms.MultipleChoiceField(label="Police.uk categories it covers (optional)", required=False,
                                                  choices=[(c, c) for c in POLICE_CATEGORIES],
                                                  widget=forms.CheckboxSelectMultiple)
    partner_measures = LinesField(label="Partner data it covers (optional)", required=False,
                                  help_text="Words that pick out partner measures, one a line, for example domestic")
    consultation_options = LinesField(label="Consultation answers about it (optional)", required=False,
                                      help_text="The start of each answer option in the priorities question, one a line")
    significant = forms.TypedChoiceField(label="Is the change statistically significant? (optional)", required=False,
                                         choices=[("", "Not known"), ("yes", "Yes"), ("no", "No")],
                                         coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
                                         widget=forms.RadioSelect)

    class Meta:
        model = CandidateIssue
        fields = ["name", "description", "police_categories", "partner_measures", "consultation_options", "volume",
                  "rate", "previous_volume", "change_pct", "significant", "harm", "harm_share", "concern_pct"]
        labels = {"description": "Description (optional)", "volume": "Records in the last 12 months (optional)",
                  "rate": "Rate per 1,000 residents a year (optional)",
                  "previous_volume": "Records in the 12 months before (optional)",
                  "change_pct": "Change in per cent (optional)", "harm": "Harm in CCHI days (optional)",
                  "harm_share": "Share of all harm in per cent (optional)",
                  "concern_pct": "Respondents choosing it, in per cent (optional)"}
        widgets = {n: forms.TextInput(attrs={"inputmode": "decimal"})
                   for n in ("volume", "rate", "previous_volume", "change_pct", "harm", "harm_share", "concern_pct")}
        field_classes = {"volume": WholeNumberField, "previous_volume": WholeNumberField, "rate": NumberField,
                         "change_pct": NumberField, "harm": NumberField, "harm_share": NumberField,
                         "concern_pct": NumberField}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        if self.instance.pk and not self.is_bound:
            self.initial["significant"] = {True: "yes", False: "no"}.get(self.instance.significant, "")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if CandidateIssue.objects.filter(partnership=self.partnership, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"There is already an issue called {name}")
        return name


class JudgementForm(PlainTextMixin, forms.ModelForm):
    judgement = forms.TypedChoiceField(label="Judgement score", coerce=int, widget=forms.RadioSelect,
                                       choices=[(str(n), label) for n, label in [
                                           (5, "5 – must be a priority"), (4, "4"), (3, "3"), (2, "2"), (1, "1"),
                                           (0, "0 – should not be a priority")]])

    class Meta:
        model = CandidateIssue
        fields = ["judgement", "judgement_reason"]
        labels = {"judgement_reason": "Reason for the score"}
        help_texts = {"judgement_reason": "What the figures do not show: local knowledge, statutory duties, "
                                          "the PCC’s plan"}
        widgets = {"judgement_reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgement_reason"].required = True


class WorkshopForm(PlainTextMixin, forms.ModelForm):
    held_on = DateField(label="Date", help_text="For example, 15 10 2024")

    class Meta:
        model = Workshop
        fields = ["title", "sub_group", "theme", "held_on", "place", "organisations", "other_attendees", "summary"]
        labels = {"title": "Workshop", "sub_group": "Sub-group (optional)", "theme": "Theme (optional)",
                  "place": "Where (optional)", "other_attendees": "Other attendees (optional)",
                  "summary": "Summary (optional)"}
        widgets = {"organisations": forms.CheckboxSelectMultiple, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_group"].queryset = partnership.sub_groups.all()
        self.fields["sub_group"].empty_label = "None"
        self.fields["organisations"].queryset = partnership.organisations.all()
        self.fields["organisations"].required = False


class WorkshopPointForm(PlainTextMixin, forms.ModelForm):
    finding = forms.ChoiceField(label="Assessment finding (optional)", required=False,
                                help_text="For a finding reviewed: the accepted finding it was")

    class Meta:
        model = WorkshopPoint
        fields = ["kind", "text", "issues", "finding"]
        labels = {"kind": "What kind of point is it?", "text": "The point", "issues": "Issues it concerns (optional)"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "issues": forms.CheckboxSelectMultiple}

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        _radios(self, "kind")
        self.fields["issues"].queryset = CandidateIssue.objects.filter(partnership=partnership)
        self.fields["issues"].required = False
        self.findings = {str(f.pk): f for f in evidence_sources.accepted_findings(partnership)}
        self.fields["finding"].choices = [("", "None")] + [(k, f.title) for k, f in self.findings.items()]
        if self.instance.pk and not self.is_bound:
            self.initial["finding"] = self.instance.source_pk

    def save(self, commit=True):
        point = super().save(commit=False)
        finding = self.findings.get(self.cleaned_data.get("finding") or "")
        if finding is not None:
            item = evidence_sources.finding_item(finding)
            point.source_title, point.source_url, point.source_pk = item.title[:300], item.url[:500], item.source_pk
        else:
            point.source_title = point.source_url = point.source_pk = ""
        if commit:
            point.save()
            self.save_m2m()
        return point


class ApprovalStepForm(PlainTextMixin, forms.ModelForm):
    meeting_on = DateField(label="Meeting date", help_text="For example, 13 6 2024")

    class Meta:
        model = ApprovalStep
        fields = ["stage", "committee", "meeting_on", "comments", "decision", "decision_text"]
        labels = {"stage": "Which step was it?", "committee": "Committee or meeting",
                  "comments": "The committee’s comments (optional)", "decision_text": "Decision as minuted (optional)"}
        widgets = {"comments": forms.Textarea(attrs={"rows": 8}), "decision_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        _radios(self, "stage")
        _radios(self, "decision")

    def clean(self):
        from .services import step_problem

        data = super().clean()
        if data.get("stage") and (problem := step_problem(self.plan, data["stage"])):
            self.add_error("stage" if self.plan.editable else None, problem)
        return data


class VersionForm(PlainTextMixin, forms.Form):
    label = forms.CharField(label="What is this version?", max_length=200,
                            help_text="For example, Draft for the board, 3 February 2025")


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(label="Earlier version", coerce=int)
    b = forms.TypedChoiceField(label="Later version", coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(v.pk), str(v)) for v in versions]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("a") and data.get("a") == data.get("b"):
            raise forms.ValidationError("Choose two different versions")
        return data


class EIAForm(PlainTextMixin, forms.ModelForm):
    signed_off_on = DateField(label="Date signed off", required=False,
                              help_text="Needed before the assessment is final. For example, 3 2 2025")

    class Meta:
        model = EqualityImpactAssessment
        fields = ["reference", "author", "head_of_service", "cabinet_member", "context", "baseline",
                  "health_how_reduced", "health_evidence", "health_groups", "health_improve", "digital_impact",
                  "digital_opportunities", "monitoring", "staff_impact", "status", "signed_off_by", "signed_off_role",
                  "signed_off_on"]
        labels = {"signed_off_role": "Role of the person signing off", "author": "Author (optional)",
                  "head_of_service": "Head of service (optional)", "cabinet_member": "Cabinet member (optional)",
                  "status": "Is this assessment draft or final?"}
        help_texts = {"reference": "The council’s EIA reference. Needed before the assessment is final",
                      "signed_off_by": "Their name. Needed before the assessment is final",
                      "signed_off_role": "For example, Director for Housing and Communities. Needed before the "
                                         "assessment is final"}
        widgets = {n: forms.Textarea(attrs={"rows": 4}) for n in (
            "context", "baseline", "health_how_reduced", "health_evidence", "health_groups", "health_improve",
            "digital_impact", "digital_opportunities", "monitoring", "staff_impact")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _radios(self, "status")
        for name, f in self.fields.items():
            if isinstance(f.widget, forms.Textarea) and not str(f.label).endswith("(optional)"):
                f.label = f"{f.label} (optional)"


class EIARowForm(PlainTextMixin, EvidencePickerMixin, forms.ModelForm):
    class Meta:
        model = EIARow
        fields = ["impact", "narrative"]
        labels = {"impact": "What is the impact?", "narrative": "Why, and what the plan does about it"}
        widgets = {"narrative": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        _radios(self, "impact")
        self.add_evidence_fields(list(items), label="Evidence it rests on (optional)")


class EIAActionForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = EIAAction
        fields = ["inequality", "action", "owner", "timescale"]
        help_texts = {"inequality": "For example, Digital inequalities", "timescale": "For example, by March 2026"}
        widgets = {"action": forms.Textarea(attrs={"rows": 4})}


class YouSaidForm(PlainTextMixin, EvidencePickerMixin, forms.ModelForm):
    class Meta:
        model = YouSaidWeDid
        fields = ["you_said", "we_did", "priorities", "actions"]
        labels = {"priorities": "Priorities that answer it (optional)", "actions": "Actions that answer it (optional)"}
        help_texts = {"you_said": "What the consultation found, in plain words, for example "
                                  "‘38% of you said drug dealing should be a priority’"}
        widgets = {"you_said": forms.Textarea(attrs={"rows": 3}), "we_did": forms.Textarea(attrs={"rows": 3}),
                   "priorities": forms.CheckboxSelectMultiple, "actions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, plan, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = plan.priorities()
        self.fields["actions"].queryset = plan.actions()
        self.fields["priorities"].required = self.fields["actions"].required = False
        self.add_evidence_fields([i for i in items if i.kind == EvidenceKind.CONSULTATION],
                                 label="Consultation results it comes from (optional)")


class SuggestionForm(PlainTextMixin, forms.ModelForm):
    """A drafted "You said, we did" row, edited before it is accepted."""

    actions = forms.ModelMultipleChoiceField(label="Actions that answer it (optional)", required=False,
                                             queryset=Action.objects.none(), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = YouSaidSuggestion
        fields = ["you_said", "we_did"]
        help_texts = {"you_said": "What the consultation found, in plain words",
                      "we_did": "What the plan does about it"}
        widgets = {"you_said": forms.Textarea(attrs={"rows": 3}), "we_did": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        priorities = self.instance.priorities.all() if self.instance.pk else []
        self.fields["actions"].queryset = Action.objects.filter(priority__in=priorities)
        if not self.fields["actions"].queryset.exists():
            del self.fields["actions"]


class CommentForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = PlanComment
        fields = ["text"]
        labels = {"text": "Your comment"}
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class PublishForm(PlainTextMixin, forms.Form):
    published = forms.TypedChoiceField(label="Show the plan on its public page?", coerce=lambda v: v == "yes",
                                       choices=[("yes", "Yes, publish it"), ("no", "No, keep it private")],
                                       widget=forms.RadioSelect)


def reporting_periods(kpi: KPI) -> list[tuple[date, date, str]]:
    """The periods a KPI reports on, from a year before the plan starts to its end."""
    plan = kpi.action.priority.theme.plan
    month = date(plan.starts_on.year - 1, plan.starts_on.month, 1)
    seen = {}
    while month <= plan.ends_on:
        start, after, label = period_of(month, kpi.frequency)
        seen.setdefault(start, (start, date.fromordinal(after.toordinal() - 1), label))
        month = add_months(month, 1)
    return list(seen.values())
