"""Form pieces every stage shares."""
from __future__ import annotations

import re
from datetime import date

from django import forms

# Characters that are neither printable nor layout. XML, and so XLSX and DOCX, cannot hold them
# (an export would fail), and a terminal or spreadsheet may act on them. Tabs and line breaks are
# layout: multi-line text keeps them, a one-line box turns them into spaces.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LAYOUT_CHARACTERS = re.compile("[\t\r\n]+")


def plain_text(value: str, multiline: bool = True) -> str:
    """Text as a person can have meant it: without control characters."""
    value = CONTROL_CHARACTERS.sub("", value)
    return value if multiline else LAYOUT_CHARACTERS.sub(" ", value)


class PlainTextMixin:
    """Put first among a form's bases: every value posted to the form loses its control
    characters before any field sees it, so what is validated, saved and shown again is the same
    text. Multi-line boxes (textareas) keep tabs and line breaks; one-line boxes do not."""

    def full_clean(self):
        # Here rather than in __init__: forms add their fields in their own __init__.
        if self.is_bound and not getattr(self, "_plain", False):
            self.data, self._plain = self._plain_data(self.data), True
        super().full_clean()

    def _plain_data(self, data):
        multiline = {self.add_prefix(name) for name, field in self.fields.items()
                     if isinstance(field.widget, forms.Textarea)}

        def clean(key, value):
            return plain_text(value, key in multiline) if isinstance(value, str) else value

        if hasattr(data, "setlist"):  # a QueryDict, as a request posts it
            data = data.copy()
            for key in list(data.keys()):
                data.setlist(key, [clean(key, v) for v in data.getlist(key)])
            return data
        return {key: [clean(key, v) for v in value] if isinstance(value, (list, tuple)) else clean(key, value)
                for key, value in data.items()}


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
