"""Delivery's forms. They check what a person typed and keep it on error; services do the work."""
from __future__ import annotations

from django import forms

from saferplan.core.periods import FinancialYear, Period
from saferplan.forms import DateField, LinkListField, MoneyField, PlainTextMixin

from . import planning_reads as planning
from .models import RAG, Allocation, AnnualReview, ApiScope, Claim, FundingStream, JagProblem, Risk, ReturnStatus, ScrutinyReport
from .models.risks import CUSTOM, MATRIX_CHOICES


class RoundForm(PlainTextMixin, forms.Form):
    quarter = forms.ChoiceField(label="Quarter", error_messages={
        "required": "Choose the quarter the returns are for",
        "invalid_choice": "Choose a quarter of the plan that has no round of returns yet"})
    deadline = DateField(label="Returns due by", help_text="For example, 31 10 2025")

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {q.slug: q for q in quarters}
        self.fields["quarter"].choices = [("", "Select a quarter")] + [
            (q.slug, f"{q.label} ({q.span_label})") for q in quarters]

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        if value is None:
            raise forms.ValidationError("Enter the date the returns are due by")
        return value


class ReturnForm(PlainTextMixin, forms.Form):
    status = forms.ChoiceField(label="Status", choices=ReturnStatus.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the action’s status"})
    narrative = forms.CharField(label="Progress this quarter", max_length=5000, widget=forms.Textarea,
                                help_text="What was done, what changed, and what happens next",
                                error_messages={"required": "Describe the progress made this quarter"})
    forecast_on = DateField(label="Expected completion date (optional)", required=False,
                            help_text="If it will finish on another date than its due date")
    rag = forms.ChoiceField(label="RAG rating", choices=RAG.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Choose a RAG rating"})
    rag_reason = forms.CharField(label="Reason for changing the suggested RAG (if you do)", required=False,
                                 max_length=1000)
    evidence_links = LinkListField(label="Links to evidence (optional)", required=False, max_length=3000,
                                   help_text="One web address a line, starting with https://")
    correction_reason = forms.CharField(label="Reason for the correction", required=False, max_length=1000,
                                        help_text="The return already sent stays in the history")

    def __init__(self, *args, allocations=(), correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocations = list(allocations)
        for a in self.allocations:
            self.fields[f"spend_{a.pk}"] = MoneyField(
                label=f"Spent to date from {a.stream.name} {a.stream.financial_year} (£)", required=False,
                max_digits=12, decimal_places=2, min_value=0,
                help_text=f"Allocated £{a.amount:,.2f}. Everything spent since the allocation, not only this quarter",
                error_messages={"min_value": "Spend cannot be less than £0"})
        if correcting:
            self.fields["correction_reason"].required = True
            self.fields["correction_reason"].error_messages["required"] = "Give the reason for correcting the return"
        else:
            del self.fields["correction_reason"]

    def spend(self) -> dict:
        return {a.pk: self.cleaned_data.get(f"spend_{a.pk}") for a in self.allocations}


class MatrixForm(PlainTextMixin, forms.Form):
    matrix_key = forms.ChoiceField(label="Risk matrix", choices=MATRIX_CHOICES, widget=forms.RadioSelect)
    name = forms.CharField(label="Name of your own matrix", required=False, max_length=100)
    likelihoods = forms.CharField(label="Likelihood levels, least likely first", required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}), help_text="One a line")
    impacts = forms.CharField(label="Impact levels, least severe first", required=False,
                              widget=forms.Textarea(attrs={"rows": 4}), help_text="One a line")
    bands = forms.CharField(label="Rating bands, lowest first", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="One a line: the band’s name, a colon, and the lowest likelihood × impact "
                                      "score in it, like Low: 1")

    def clean(self):
        data = super().clean()
        if data.get("matrix_key") != CUSTOM:
            return data
        lines = {k: [line.strip() for line in (data.get(k) or "").splitlines() if line.strip()]
                 for k in ("likelihoods", "impacts", "bands")}
        if not lines["likelihoods"]:
            self.add_error("likelihoods", "Enter at least one likelihood level")
        if not lines["impacts"]:
            self.add_error("impacts", "Enter at least one impact level")
        bands = []
        for number, line in enumerate(lines["bands"], start=1):
            name, _, lowest = line.rpartition(":")
            if not name.strip() or not lowest.strip().isdigit():
                self.add_error("bands", f"Line {number} of the bands is not like Low: 1")
                return data
            bands.append([name.strip(), int(lowest)])
        if not bands or bands[0][1] != 1 or [b[1] for b in bands] != sorted({b[1] for b in bands}):
            self.add_error("bands", "The first band must start at 1 and each band must start higher than the one before")
        data["custom"] = {"name": data.get("name") or "The partnership’s own matrix",
                          "likelihoods": lines["likelihoods"], "impacts": lines["impacts"], "bands": bands}
        return data


def _level_choices(levels):
    return [(lv.code, f"{lv.code} {lv.label}" if lv.code != lv.label else lv.label) for lv in levels]


class RiskForm(PlainTextMixin, forms.ModelForm):
    review_on = DateField(label="Next review")

    class Meta:
        model = Risk
        fields = ["reference", "title", "cause", "consequence", "owner", "owner_name", "controls", "actions",
                  "likelihood", "impact", "target_likelihood", "target_impact", "tolerance", "review_on", "closed"]
        widgets = {"cause": forms.Textarea(attrs={"rows": 3}), "consequence": forms.Textarea(attrs={"rows": 3}),
                   "controls": forms.Textarea(attrs={"rows": 3}), "actions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, partnership, matrix, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        self.fields["owner"].queryset = partnership.organisations.all()
        self.fields["actions"].queryset = planning.actions_of(plan) if plan else planning.Action.objects.none()
        self.fields["actions"].required = False
        for name, levels in (("likelihood", matrix.likelihoods), ("impact", matrix.impacts),
                             ("target_likelihood", matrix.likelihoods), ("target_impact", matrix.impacts)):
            self.fields[name] = forms.ChoiceField(label=self.fields[name].label, choices=_level_choices(levels),
                                                  widget=forms.RadioSelect,
                                                  error_messages={"required": f"Choose the {self.fields[name].label.lower()}"})
        self.fields["tolerance"] = forms.ChoiceField(
            label="Tolerance", choices=[(b.name, b.name) for b in matrix.bands], widget=forms.RadioSelect,
            help_text="The highest rating band the partnership accepts for this risk",
            error_messages={"required": "Choose the highest rating band the partnership accepts for this risk"})
        self.fields["closed"].label = "The risk is closed"
        if not self.instance.pk:
            del self.fields["closed"]


class ReviewForm(PlainTextMixin, forms.Form):
    likelihood = forms.ChoiceField(label="Likelihood now", widget=forms.RadioSelect)
    impact = forms.ChoiceField(label="Impact now", widget=forms.RadioSelect)
    note = forms.CharField(label="What the review found", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Say what the review found"})
    next_review = DateField(label="Next review")

    def __init__(self, *args, matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"].choices = _level_choices(matrix.likelihoods)
        self.fields["impact"].choices = _level_choices(matrix.impacts)

    def clean_next_review(self):
        value = self.cleaned_data.get("next_review")
        if value is None:
            raise forms.ValidationError("Enter the date of the next review")
        return value


class StreamForm(PlainTextMixin, forms.ModelForm):
    amount = MoneyField(label="Amount (£)", max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = FundingStream
        fields = ["source", "name", "funder", "financial_year", "amount", "conditions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"] = forms.ChoiceField(label="What the funding is", widget=forms.RadioSelect,
                                                  choices=planning.funding_source_choices())

    def clean_financial_year(self):
        value = self.cleaned_data["financial_year"].strip()
        try:
            FinancialYear.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value


class AllocationForm(PlainTextMixin, forms.ModelForm):
    amount = MoneyField(label="Amount (£)", max_digits=12, decimal_places=2, min_value=0)

    class Meta:
        model = Allocation
        fields = ["action", "amount", "note"]
        labels = {"note": "Note (optional)"}
        error_messages = {"action": {"required": "Choose the action the money goes to"}}

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = actions
        self.fields["action"].label_from_instance = lambda a: f"{a.title} ({a.owner.name})"
        self.fields["action"].empty_label = "Select an action"


class ClaimForm(PlainTextMixin, forms.ModelForm):
    amount = MoneyField(label="Amount claimed (£)", max_digits=12, decimal_places=2, min_value=0)
    claimed_on = DateField(label="Date claimed")
    paid_on = DateField(label="Date paid (optional)", required=False)

    class Meta:
        model = Claim
        fields = ["quarter", "amount", "claimed_on", "reference", "paid_on"]

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"] = forms.ChoiceField(label="Quarter the claim covers", choices=[("", "Select a quarter")]
                                                   + [(q.slug, q.label) for q in quarters],
                                                   error_messages={"required": "Choose the quarter the claim covers"})


class JagProblemForm(PlainTextMixin, forms.ModelForm):
    review_on = DateField(label="Next review at the JAG")
    opened_on = DateField(label="Tasked on")
    evidence = forms.ChoiceField(label="Hotspot or finding in the strategic assessment (optional)", required=False,
                                 help_text="Accepted findings of the assessment: a hotspot sets the LSOA")

    class Meta:
        model = JagProblem
        fields = ["reference", "title", "location", "ward", "lsoa_code", "lsoa_name", "description", "owner",
                  "tasks", "status", "opened_on", "review_on", "escalation_reason", "scanning", "analysis",
                  "response", "assessment"]
        labels = {"lsoa_code": "LSOA code (optional)", "lsoa_name": "LSOA name (optional)",
                  "escalation_reason": "Why it is escalated to the partnership (if it is)"}
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in
                   ("description", "tasks", "escalation_reason", "scanning", "analysis", "response", "assessment")}
        widgets["status"] = forms.RadioSelect

    def __init__(self, *args, partnership, hotspots=(), findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = partnership.organisations.all()
        self.fields["owner"].empty_label = "Select the lead organisation"
        self.fields["evidence"].choices = (
            [("", "None")]
            + ([("Hotspots", [(c.key, c.label) for c in hotspots])] if hotspots else [])
            + ([("Findings", [(f"finding:{f.pk}", f"{f.title} ({Period.parse(f.period).label()})")
                              for f in findings])] if findings else []))


class ApiTokenForm(PlainTextMixin, forms.Form):
    name = forms.CharField(label="What the token is for", max_length=100,
                           help_text="For example, Police performance team Power BI. You can revoke it later by this name",
                           error_messages={"required": "Say what the token is for"})
    scopes = forms.MultipleChoiceField(
        label="What the token may read", choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Choose only what the tool needs. To change this later, issue a new token and revoke this one",
        error_messages={"required": "Choose what the token may read",
                        "invalid_choice": "Choose what the token may read from the list"})


class ReviewStartForm(PlainTextMixin, forms.Form):
    financial_year = forms.ChoiceField(label="Year reviewed", error_messages={
        "required": "Choose the year the review covers",
        "invalid_choice": "Choose a year of the plan that has not been reviewed"})

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [("", "Select a year")] + [(y, y) for y in years]


class AnnualReviewForm(PlainTextMixin, forms.ModelForm):
    sent_to_pcc_on = DateField(label="Sent to the Police and Crime Commissioner on (optional)", required=False)

    class Meta:
        model = AnnualReview
        fields = ["assessment_period", "what_changed", "why", "pcc_name", "sent_to_pcc_on"]
        labels = {"pcc_name": "Police and Crime Commissioner it is sent to (optional)"}
        widgets = {"what_changed": forms.Textarea(attrs={"rows": 6}), "why": forms.Textarea(attrs={"rows": 6})}


class ScrutinyNarrativeForm(PlainTextMixin, forms.ModelForm):
    meeting_on = DateField(label="Date of the meeting (optional)", required=False)

    class Meta:
        model = ScrutinyReport
        fields = ["committee", "meeting_on", "purpose", "recommendations", "background", "considerations",
                  "consultation", "financial", "legal", "equality", "risk", "author", "contact"]
        help_texts = {"considerations": "The figures (actions by RAG, KPIs against target, JAG problems) are added "
                                        "from the system beneath what you write",
                      "financial": "The year’s funding table is added from the system",
                      "risk": "The risk register and its heat map are added from the system",
                      "contact": "A work email address or telephone number of the council"}
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in
                   ("purpose", "recommendations", "background", "considerations", "consultation", "financial",
                    "legal", "equality", "risk")}
