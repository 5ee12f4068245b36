from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django import forms

from saferplan.forms import NumberField, PlainTextMixin

from .models import Finding
from .partner import AREA_LEVELS, ColumnMapping
from .services import max_upload_bytes, safe_name, server_import_roots

MAX_UPLOAD_FILES = 60


def _size(n: int) -> str:
    if n >= 1024 ** 3:
        return f"{n / 1024 ** 3:,.1f} GB"
    return f"{n / 1024 ** 2:,.0f} MB" if n >= 1024 ** 2 else f"{max(1, round(n / 1024)):,} KB"


def check_upload_size(files) -> None:
    limit = max_upload_bytes()
    total = sum(f.size or 0 for f in files)
    if total > limit:
        raise forms.ValidationError(f"The files come to {_size(total)}; upload at most {_size(limit)} at once "
                                    "(import a large archive in parts, or ask the site operator to load it)")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if not data:
            return single(None, initial)
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class PoliceUploadForm(forms.Form):
    files = MultipleFileField(
        label="police.uk files",
        help_text="Street-level CSV files (for example 2024-01-leicestershire-street.csv) or the monthly "
        "archive zip from data.police.uk. Choose several files at once if you need to.",
        error_messages={"required": "Choose the police.uk files to import"},
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(f"Choose at most {MAX_UPLOAD_FILES} files, or upload the archive zip")
        names = set()
        for f in files:
            name = safe_name(f.name)
            if not name.lower().endswith((".csv", ".zip")):
                raise forms.ValidationError(f"{f.name} must be a CSV file or a zip archive")
            if name in names:
                raise forms.ValidationError(f"{f.name} is chosen twice")
            names.add(name)
        check_upload_size(files)
        return files


class BoundaryUploadForm(forms.Form):
    files = MultipleFileField(
        label="Boundary files",
        help_text="GeoJSON files of your authorities' 2021 LSOAs and wards (WGS84), from the ONS Open "
        "Geography Portal. Choose both files at once if you have them.",
        error_messages={"required": "Choose the GeoJSON boundary files to load"},
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > 10:
            raise forms.ValidationError("Choose at most 10 files")
        names = set()
        for f in files:
            name = safe_name(f.name)
            if not name.lower().endswith((".geojson", ".json")):
                raise forms.ValidationError(f"{f.name} must be a GeoJSON file (.geojson)")
            if name in names:
                raise forms.ValidationError(f"{f.name} is chosen twice")
            names.add(name)
        check_upload_size(files)
        return files


class ServerFolderForm(forms.Form):
    folder = forms.CharField(
        label="Folder or file on the server",
        max_length=500,
        error_messages={"required": "Enter the folder on the server that holds the police.uk files"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = server_import_roots()
        self.fields["folder"].help_text = (
            "A folder of police.uk street-level files, a CSV file or an archive zip, inside "
            + " or ".join(str(r) for r in roots)
        )

    def clean_folder(self):
        text = self.cleaned_data["folder"].strip()
        path = Path(text)
        if not path.is_absolute():
            raise forms.ValidationError("Enter the full path of the folder, starting with /")
        resolved = path.resolve()
        if not any(resolved == root or root in resolved.parents for root in server_import_roots()):
            raise forms.ValidationError("The folder must be inside " + " or ".join(str(r) for r in server_import_roots()))
        if not resolved.exists():
            raise forms.ValidationError(f"There is no folder or file at {text}")
        return resolved


class PartnerUploadForm(forms.Form):
    file = forms.FileField(
        label="Partner data file",
        help_text="A CSV file with one row per area and month: an area code (2021 LSOA, ward or local "
        "authority), a month (YYYY-MM), a count and, if the file holds several, the measure.",
        error_messages={"required": "Choose the CSV file to import"},
    )
    dataset = forms.CharField(
        label="Dataset name",
        max_length=200,
        help_text="What the data is and who it comes from, for example “Fire service incidents”",
        error_messages={"required": "Enter a name for the dataset"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not safe_name(upload.name).lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV file")
        check_upload_size([upload])
        return upload


class ColumnMappingForm(PlainTextMixin, forms.Form):
    LEVELS = [("", "Work it out from each code")] + [
        (k, {"lsoa": "2021 LSOA", "ward": "Ward", "lad": "Local authority"}[k]) for k in AREA_LEVELS
    ]
    dataset = forms.CharField(label="Dataset name", max_length=200,
                              error_messages={"required": "Enter a name for the dataset"})
    area = forms.ChoiceField(label="Which column holds the area code?",
                             error_messages={"required": "Choose the column that holds the area code"})
    area_level = forms.ChoiceField(label="What kind of area is it?", choices=LEVELS, required=False)
    month = forms.ChoiceField(label="Which column holds the month?",
                              error_messages={"required": "Choose the column that holds the month"})
    count = forms.ChoiceField(label="Which column holds the count?",
                              error_messages={"required": "Choose the column that holds the count"})
    measure = forms.ChoiceField(
        label="Which column says what is counted?", required=False,
        help_text="For example “Incident type”. If the whole file counts one thing, choose “None” and name it below.",
    )
    fixed_measure = forms.CharField(
        label="What does the whole file count?", required=False, max_length=200,
        help_text="Only if no column says what is counted, for example “Deliberate fires”",
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a column")] + [(c, c) for c in columns]
        for name in ("area", "month", "count"):
            self.fields[name].choices = choices
        self.fields["measure"].choices = [("", "None: the whole file counts one thing")] + [(c, c) for c in columns]

    def clean(self):
        data = super().clean()
        measure, fixed = data.get("measure"), (data.get("fixed_measure") or "").strip()
        if measure and fixed:
            self.add_error("fixed_measure", "Leave this empty when a column says what is counted")
        elif not measure and not fixed:
            self.add_error("fixed_measure", "Say what the file counts, or choose the column that does")
        chosen = [data.get(k) for k in ("area", "month", "count", "measure") if data.get(k)]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("Choose a different column for each question")
        return data

    def mapping(self) -> ColumnMapping:
        d = self.cleaned_data
        return ColumnMapping(area=d["area"], month=d["month"], count=d["count"], measure=d["measure"] or None,
                             fixed_measure=(d["fixed_measure"] or "").strip() or None,
                             area_level=d["area_level"] or None)


class PeriodForm(forms.Form):
    LENGTHS = [(12, "12 months"), (6, "6 months"), (3, "3 months"), (1, "1 month")]
    end = forms.ChoiceField(label="Ending with", required=False)
    months = forms.TypedChoiceField(label="Length", choices=LENGTHS, coerce=int, required=False, empty_value=12)

    def __init__(self, *args, month_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end"].choices = month_choices


class ReviewFindingForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label="Finding", widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
        help_text="Edit the words if they need it. The figures behind the finding are shown below.",
        error_messages={"required": "Enter the finding’s text"},
    )
    status = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect,
        choices=[(Finding.Status.ACCEPTED, "Accept: this is a finding of the assessment"),
                 (Finding.Status.REJECTED, "Reject: leave it out"),
                 (Finding.Status.DRAFTED, "Keep as a draft for now")],
        error_messages={"required": "Choose whether to accept or reject the finding"},
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="For example, why it was rejected or where the wording came from")


class HarmWeightsForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(label="Why the weights were changed", required=False, max_length=500,
                             help_text="Kept with each changed weight and in the history of changes")

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for i, row in enumerate(rows):
            self.fields[f"w{i}"] = NumberField(
                label=row["category"], required=False, min_value=Decimal("0"), max_value=Decimal("100000"),
                decimal_places=1,
                error_messages={"invalid": f"The weight for {row['category']} must be a number of days, like 12.5",
                                "min_value": f"The weight for {row['category']} must be 0 or more",
                                "max_value": f"The weight for {row['category']} must be 100,000 days or fewer",
                                "max_decimal_places": f"The weight for {row['category']} may have one decimal place"},
            )
            if not self.is_bound:
                custom = row["custom"]
                self.initial[f"w{i}"] = custom.weight if custom else Decimal(str(row["default"]))

    def weight_fields(self):
        return [(row, self[f"w{i}"]) for i, row in enumerate(self.rows)]

    def weights(self) -> dict[str, float | None]:
        return {row["category"]: (None if self.cleaned_data[f"w{i}"] is None else float(self.cleaned_data[f"w{i}"]))
                for i, row in enumerate(self.rows)}
