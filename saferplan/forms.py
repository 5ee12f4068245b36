"""Form pieces every stage shares."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

# The largest year a date may have: Python's dates and the databases both stop at 9999.
LAST_YEAR = 9999

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
        if not all(str(v).isdigit() for v in (day, month, year)):
            raise forms.ValidationError(f"{self.label or 'Date'} must be a real date, in numbers, like 31 3 2026")
        if len(str(year)) != 4:
            # Also keeps years like 99999999999 away from date(), which overflows on them.
            raise forms.ValidationError(f"{self.label or 'Date'} year must include 4 numbers")
        try:
            result = date(int(year), int(month), int(day))
        except (TypeError, ValueError, OverflowError):
            raise forms.ValidationError(f"{self.label or 'Date'} must be a real date") from None
        if result.year < 1900:
            raise forms.ValidationError(f"{self.label or 'Date'} year must be 1900 or later")
        return result

    def prepare_value(self, value):
        return value


# "3,500" and "1,234,567.50": commas only where they group thousands, so "3,5" stays an error
# rather than silently becoming 35.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _ungroup(value):
    if isinstance(value, str):
        value = value.strip().replace(" ", "")
        if _GROUPED.match(value):
            value = value.replace(",", "")
    return value


class NumberField(forms.DecimalField):
    """A decimal number as people type it, thousands separators included ("1,200.5")."""

    def to_python(self, value):
        return super().to_python(_ungroup(value))


class WholeNumberField(forms.IntegerField):
    """A count as people type it, thousands separators included ("1,200")."""

    def to_python(self, value):
        return super().to_python(_ungroup(value))


class MoneyField(NumberField):
    """An amount in pounds: "3500", "3,500" and "£3,500.00" all mean Decimal("3500")."""

    default_error_messages = {"invalid": "Enter an amount in pounds, like 3,500 or £3,500.00"}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("£"):
                value = value[1:].strip()
                if not value:
                    raise ValidationError(self.error_messages["invalid"], code="invalid")
        result = super().to_python(value)
        return None if result is None else Decimal(result)


def is_safe_link(url: str) -> bool:
    """A web address people may follow from a page: https:// or a path on this site.

    "//host/..." is refused: browsers read it as another site ("protocol-relative"), so it would
    let anyone plant a link to a phishing page that looks like one of ours.
    """
    url = (url or "").strip()
    if url.startswith("/"):
        return not url.startswith("//") and "\\" not in url[:2]
    if url.lower().startswith("https://"):
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["https"])(url)
        except ValidationError:
            return False
        return True
    return False


def validate_link(url: str) -> None:
    """The one validator for every link field: see ``is_safe_link``."""
    if url and not is_safe_link(url):
        raise ValidationError("Enter a web address starting with https://, or a page on this site starting with /",
                              code="invalid_link")


class LinkField(forms.CharField):
    """A web address: https://... or a path on this site; anything else is refused."""

    default_validators = [validate_link]

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        # "melton.gov.uk/report" is how people copy an address; it means the https site.
        if value and re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", value, re.IGNORECASE):
            value = f"https://{value}"
        return value


class LinkListField(LinkField):
    """Web addresses, one a line, each under the same rule as ``LinkField``; the error names the line."""

    default_validators = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        lines = [LinkField.to_python(self, line) for line in str(value or "").splitlines()]
        return "\n".join(line for line in lines if line)

    def validate(self, value):
        super().validate(value)
        for number, line in enumerate(value.splitlines(), start=1):
            if not is_safe_link(line):
                raise ValidationError(f"Line {number} of the links is not a web address starting with https://,"
                                      " or a page on this site starting with /", code="invalid_link")


def id_or_404(value) -> int | None:
    """An id read from a query string or a posted button: empty is None, anything not a number is 404.

    Without this, "?theme=abc" reaches the database as a lookup on an integer column and fails
    with a server error instead of saying there is no such thing.
    """
    if value in (None, ""):
        return None
    value = str(value).strip()
    if not value.isdigit() or len(value) > 18:
        raise Http404("No such item")
    return int(value)
