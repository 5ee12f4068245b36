"""GOV.UK Frontend form markup for Django forms: one field tag and one error summary tag.

Written here rather than taken from a package because the markup is small, and the GOV.UK
patterns (error message inside the label's group, fieldsets for radios, checkboxes and dates)
need to know the widget, which is easiest to read straight from the bound field.
"""
from __future__ import annotations

from django import forms, template

from saferplan import wording
from saferplan.forms import DateInput, is_safe_link

register = template.Library()


def _kind(widget) -> str:
    # CheckboxSelectMultiple subclasses RadioSelect, so it must be recognised first or every
    # multiple choice would render as radios and save only one of the ticked items.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
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
        "errors": error_messages(bound_field),
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
        context["attrs"] = dict(widget.attrs)
        if context["input_type"] == "number":
            # GOV.UK asks for a text box with a numeric keyboard: a number box drops what it cannot
            # parse ("1,200") and sends nothing, so the form could not keep what was typed.
            context["input_type"] = "text"
            decimal = isinstance(bound_field.field, (forms.DecimalField, forms.FloatField))
            context["attrs"].setdefault("inputmode", "decimal" if decimal else "numeric")
        if context["input_type"] == "password":
            # Never echo a password back into the page.
            context["value"] = ""
    if kind in {"radios", "checkboxes", "select"}:
        context["options"] = _options(bound_field, kind)
    if kind == "date":
        context["parts"] = widget.parts(bound_field.html_name, bound_field.value())
    if kind == "textarea":
        context["rows"] = widget.attrs.get("rows", 5)
    return context


def _options(bound_field, kind):
    value = bound_field.value()
    selected = {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value if value is not None else "")}
    choices = [(getattr(v, "value", v), label) for v, label in bound_field.field.choices]
    choices = [("" if v is None else v, label) for v, label in choices]
    if kind == "radios":
        choices = _without_blank(bound_field, choices)
    # The first option carries the field's own id, so the error summary's link lands on it.
    return [
        {
            "value": option_value,
            "label": label,
            "id": bound_field.auto_id if index == 0 else f"{bound_field.auto_id}-{index}",
            "selected": str(option_value) in selected,
        }
        for index, (option_value, label) in enumerate(choices)
    ]


def _without_blank(bound_field, choices):
    """Radios have no "---------" choice: choosing none of them is how a question is left blank.

    Model fields and ModelChoiceFields add that blank choice for selects; shown as a radio it is
    an option labelled with dashes. A blank choice with a real label ("Not known") is kept when the
    question is optional.
    """
    from django.db.models.fields import BLANK_CHOICE_DASH

    dashes = str(BLANK_CHOICE_DASH[0][1])
    return [
        (value, label) for value, label in choices
        if str(value) != "" or (not bound_field.field.required and str(label) != dashes)
    ]


def _label(bound_field) -> str:
    label = str(bound_field.label or bound_field.name.replace("_", " ")).strip()
    label = label.removesuffix("(optional)").strip().rstrip(":")
    return label


def _lower_first(text: str) -> str:
    # "Due date" reads "due date" mid-sentence, but "KPI title" and "PCC grant" keep their capitals.
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _django_messages() -> set[str]:
    from django.core import validators
    from django.forms import models as model_forms

    found = set()
    classes = [c for c in vars(forms).values() if isinstance(c, type) and issubclass(c, forms.Field)]
    classes += [model_forms.ModelChoiceField, model_forms.ModelMultipleChoiceField]
    for cls in classes:
        for klass in cls.__mro__:
            found.update(str(m) for m in getattr(klass, "default_error_messages", {}).values())
    for validator in (validators.MaxLengthValidator, validators.MinLengthValidator, validators.MaxValueValidator,
                      validators.MinValueValidator, validators.EmailValidator, validators.URLValidator,
                      validators.StepValueValidator):
        found.add(str(validator.message))
    found.update(str(m) for m in validators.DecimalValidator.messages.values())
    return found


_DJANGO_MESSAGES: dict[str, set[str]] = {}


def django_messages() -> set[str]:
    """Django's default messages in the active language (Welsh pages get Welsh ones)."""
    from django.utils.translation import get_language

    language = get_language() or ""
    if language not in _DJANGO_MESSAGES:
        _DJANGO_MESSAGES[language] = _django_messages()
    return _DJANGO_MESSAGES[language]


# Django's own messages do not say which field they are about ("This field is required."), which
# an error summary that lists several problems must: each is rewritten to name its field. A message
# a form wrote itself is left alone: it already says what is wrong.
def _named(error, bound_field) -> str:
    code, params = error.code, error.params or {}
    if str(error.message) not in django_messages():
        return error.message % params if params and "%(" in str(error.message) else str(error.message)
    label = _label(bound_field)
    kind = _kind(bound_field.field.widget)
    question = label.endswith("?")
    subject = f"“{label}”" if question else _lower_first(label)
    if code == "required":
        if question:
            return f"Answer {subject}"
        return f"Select {subject}" if kind in {"radios", "checkboxes", "select", "file"} else f"Enter {subject}"
    if code in {"invalid_choice", "invalid_list", "invalid_pk_value"}:
        return f"Select {subject} from the list" if not question else f"Select one of the answers to {subject}"
    if code == "invalid" and isinstance(bound_field.field, (forms.DecimalField, forms.FloatField)):
        return f"{label} must be a number, like 1,250.50"
    if code == "invalid" and isinstance(bound_field.field, forms.IntegerField):
        return f"{label} must be a whole number, like 1,250"
    if code == "invalid" and isinstance(bound_field.field, forms.EmailField):
        return f"Enter {subject} in the correct format, like name@example.com"
    if code == "max_length" and "limit_value" in params:
        return f"{label} must be {params['limit_value']:,} characters or fewer"
    if code == "min_length" and "limit_value" in params:
        return f"{label} must be {params['limit_value']:,} characters or more"
    if code == "max_value" and "limit_value" in params:
        return f"{label} must be {params['limit_value']:,} or less"
    if code == "min_value" and "limit_value" in params:
        return f"{label} must be {params['limit_value']:,} or more"
    if code in {"max_digits", "max_whole_digits"}:
        return f"{label} is too large"
    if code == "max_decimal_places" and "max" in params:
        return f"{label} may have no more than {params['max']} decimal places"
    return error.message % params if params and "%(" in str(error.message) else str(error.message)


def error_messages(bound_field) -> list[str]:
    """The field's error messages, each naming the field (the same words inline and in the summary)."""
    form = bound_field.form
    if not form.is_bound or bound_field.name not in form.errors:
        return []
    return [_named(e, bound_field) for e in form.errors.as_data()[bound_field.name]]


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
            if bound.is_hidden:
                anchor = ""
            for message in error_messages(bound):
                errors.append({"href": f"#{anchor}" if anchor else "", "message": message})
    return {"errors": errors}


@register.filter
def uk_date(value):
    """'1 April 2026', the GOV.UK style for dates (also for the ISO strings kept in snapshots)."""
    return wording.uk_date(value)


@register.filter
def safe_link(url):
    """The address if it is safe to link to, else "": links saved before the one link rule
    (``saferplan.forms.is_safe_link``) could hold "//another-site" or "javascript:"."""
    url = str(url or "").strip()
    if is_safe_link(url) or (url.lower().startswith("http://") and is_safe_link("https://" + url[7:])):
        return url
    return ""


@register.filter
def counted(value, noun):
    """'1 event', '740 responses', '1 person'/'3 people' with noun="person,people"."""
    singular, _, plural = str(noun).partition(",")
    return wording.counted(value, singular, plural or None)


# --- Shared GOV.UK components (templates/core/includes/) -------------------------------------------
# A component's markup lives once, in its include; a page passes what it shows. Django's include
# takes values but no content, so {% component %} renders an include with the markup between the
# tags as ``content`` (a table's rows, a summary row's value), like a GOV.UK Frontend macro's
# caller block.


class ComponentNode(template.Node):
    def __init__(self, name, extra, nodelist):
        self.name, self.extra, self.nodelist = name, extra, nodelist

    def render(self, context):
        values = {key: value.resolve(context) for key, value in self.extra.items()}
        values["content"] = self.nodelist.render(context)
        include = context.template.engine.get_template(self.name.resolve(context))
        with context.push(**values):
            return include.render(context)


@register.tag
def component(parser, token):
    """``{% component "core/includes/table.html" caption="People" head=head %}rows{% endcomponent %}``."""
    from django.template.base import token_kwargs

    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("component takes the include's name, then key=value pairs")
    name = parser.compile_filter(bits[1])
    extra = token_kwargs(bits[2:], parser, support_legacy=False)
    if len(extra) != len(bits) - 2:
        raise template.TemplateSyntaxError(f"component {bits[1]}: give values as key=value, not {bits[2:]}")
    nodelist = parser.parse(("endcomponent",))
    parser.delete_first_token()
    return ComponentNode(name, extra, nodelist)


@register.simple_tag
def columns(*labels, lists=""):
    """A table's head: ``{% columns "Name" "People:numeric" "Action:hidden" as head %}``. Numeric
    columns are right-aligned, as GOV.UK tables align figures; a hidden label (a column of buttons)
    is read by screen readers only. A list among the labels (columns that come from the data, like
    a survey's channels) adds one column each, of the kind ``lists`` names."""
    flat = []
    for label in labels:
        if isinstance(label, (list, tuple)):
            flat += [f"{item}:{lists}" if lists else str(item) for item in label]
        else:
            flat.append(str(label))
    head = []
    for label in flat:
        name, _, kind = label.rpartition(":") if label.endswith((":numeric", ":hidden")) else (label, "", "")
        head.append({"label": name, "numeric": kind == "numeric", "hidden": kind == "hidden"})
    return head


@register.simple_tag
def jinja(name, **values):
    """``{% jinja "consultation/_question.html" form=form heading=False %}``: markup kept once, in a
    Jinja2 template of the resident's journey (ADR 0025), shown in a Django template (the paper form)."""
    from django.template import engines
    from django.utils.safestring import mark_safe

    return mark_safe(engines["jinja2"].get_template(name).render(values))


@register.filter
def tag_colour(text):
    """The colour of a status tag: the one ``wording.TAG_COLOURS`` gives its words."""
    return wording.TAG_COLOURS.get(str(text), "blue")


class CaptureNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        from django.utils.safestring import mark_safe

        # Rendered (so escaped) already: kept safe, or "&" would show as "&amp;amp;".
        context[self.name] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.tag
def capture(parser, token):
    """``{% capture caption %}Problems in {{ job.error.file }}{% endcapture %}``: words with figures
    in them, to pass to a component (a table's caption), escaped as they were rendered."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture takes the name to keep the text under")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(bits[1], nodelist)
