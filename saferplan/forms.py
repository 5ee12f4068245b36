"""Form pieces every stage shares."""
from __future__ import annotations

from datetime import date

from django import forms


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: separate day, month and year boxes."""

    template_name = "govuk/date_widget.html"

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
            return [day, month, year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_{part}", "").strip() for part in ("day", "month", "year")]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{part}" in data for part in ("day", "month", "year"))

    def parts(self, name, value):
        if not isinstance(value, (list, tuple)):
            value = self.decompress(value)
        labels = ("Day", "Month", "Year")
        return [
            {"name": f"{name}_{key}", "label": label, "value": "" if v is None else v, "width": 4 if key == "year" else 2}
            for key, label, v in zip(("day", "month", "year"), labels, value)
        ]


class DateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK error messages."""

    widget = DateInput

    def to_python(self, value):
        if not value or not any(value):
            return None
        day, month, year = value
        missing = [n for n, v in zip(("day", "month", "year"), (day, month, year)) if not v]
        if missing:
            raise forms.ValidationError(f"{self.label or 'Date'} must include a {' and '.join(missing)}")
        try:
            result = date(int(year), int(month), int(day))
        except (TypeError, ValueError):
            raise forms.ValidationError(f"{self.label or 'Date'} must be a real date") from None
        if result.year < 1900:
            raise forms.ValidationError(f"{self.label or 'Date'} year must include 4 numbers")
        return result

    def prepare_value(self, value):
        return value
