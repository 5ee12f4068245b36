"""GOV.UK Frontend form markup for Django forms: one field tag and one error summary tag.

Written here rather than taken from a package because the markup is small, and the GOV.UK
patterns (error message inside the label's group, fieldsets for radios, checkboxes and dates)
need to know the widget, which is easiest to read straight from the bound field.
"""
from __future__ import annotations

from django import forms, template
from django.utils import timezone

from saferplan.forms import DateInput

register = template.Library()


def _kind(widget) -> str:
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, DateInput):
        return "date"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


@register.inclusion_tag("govuk/field.html")
def field(bound_field, label_class="", width="", heading=False):
    widget = bound_field.field.widget
    kind = _kind(widget)
    html_id = bound_field.auto_id
    context = {
        "field": bound_field,
        "kind": kind,
        "id": html_id,
        "hint_id": f"{html_id}-hint" if bound_field.help_text else "",
        "error_id": f"{html_id}-error" if bound_field.errors else "",
        "label_class": label_class,
        "width": width,
        "heading": heading,
        "value": bound_field.value(),
    }
    if kind == "input":
        context["input_type"] = getattr(widget, "input_type", "text")
        context["attrs"] = widget.attrs
        if context["input_type"] == "password":
            # Never echo a password back into the page.
            context["value"] = ""
    if kind in {"radios", "checkboxes", "select"}:
        context["options"] = _options(bound_field)
    if kind == "date":
        context["parts"] = widget.parts(bound_field.html_name, bound_field.value())
    if kind == "textarea":
        context["rows"] = widget.attrs.get("rows", 5)
    return context


def _options(bound_field):
    value = bound_field.value()
    selected = {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value if value is not None else "")}
    options = []
    for index, (option_value, label) in enumerate(bound_field.field.choices):
        option_value = getattr(option_value, "value", option_value)
        options.append(
            {
                "value": "" if option_value is None else option_value,
                "label": label,
                "id": bound_field.auto_id if index == 0 else f"{bound_field.auto_id}-{index}",
                "selected": str("" if option_value is None else option_value) in selected,
            }
        )
    return options


@register.inclusion_tag("govuk/error_summary.html")
def error_summary(*forms_):
    errors = []
    for form in forms_:
        if form is None or not form.errors:
            continue
        for message in form.non_field_errors():
            errors.append({"href": "", "message": message})
        for name, field_errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            anchor = bound.auto_id
            if isinstance(bound.field.widget, DateInput):
                anchor = f"{bound.auto_id}_day"
            for message in field_errors:
                errors.append({"href": f"#{anchor}", "message": message})
    return {"errors": errors}


@register.filter
def uk_date(value):
    """'1 April 2026', the GOV.UK style for dates."""
    if not value:
        return ""
    if hasattr(value, "astimezone") and hasattr(value, "hour"):
        value = timezone.localtime(value)
        return value.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")
    return value.strftime("%-d %B %Y")
