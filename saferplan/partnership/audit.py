"""The audit history: who changed what, when, with old and new values.

Recording is django-simple-history's job (every audited model has ``history``); this module turns
its records into rows a person can read, with related objects named rather than numbered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain

from django.db import models

from saferplan.wording import uk_date

ACTIONS = {"+": "Created", "~": "Changed", "-": "Removed"}
HIDDEN_FIELDS = {"id", "partnership", "token_hash"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditRow:
    when: datetime
    who: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _display(model, field_name: str, value) -> str:
    if value is None or value == "":
        return "(blank)"
    try:
        model_field = model._meta.get_field(field_name)
    except Exception:
        return str(value)
    if isinstance(model_field, models.ManyToManyField):
        related = model_field.related_model
        ids = [row[model_field.m2m_reverse_field_name()] for row in value] if value and isinstance(value[0], dict) else value
        names = [str(o) for o in related.objects.filter(pk__in=ids)]
        return ", ".join(sorted(names)) or "(none)"
    if model_field.is_relation:
        obj = model_field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else f"(removed, #{value})"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, (date, datetime)):
        return uk_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _label(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name).capitalize()
    except Exception:
        return field_name.replace("_", " ").capitalize()


def _rows(records, model, subject_of=None) -> list[AuditRow]:
    rows = []
    for record in records:
        who = str(record.history_user) if record.history_user else "System"
        subject = subject_of(record) if subject_of else str(record.instance)
        row = AuditRow(record.history_date, who, ACTIONS[record.history_type], subject)
        previous = record.prev_record
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                row.changes.append(
                    Change(_label(model, change.field), _display(model, change.field, change.old), _display(model, change.field, change.new))
                )
            if not row.changes:
                continue
        elif record.history_type == "+":
            for f in model._meta.concrete_fields:
                if f.name in HIDDEN_FIELDS:
                    continue
                value = getattr(record, f.attname, None)
                if value not in (None, "", []):
                    row.changes.append(Change(_label(model, f.name), "", _display(model, f.name, value)))
        rows.append(row)
    return rows


def history_of(obj) -> list[AuditRow]:
    """The changes to one object, newest first."""
    records = obj.history.all().select_related("history_user").order_by("-history_date", "-history_id")
    return _rows(records, type(obj))


def partnership_history(partnership, limit: int = 200) -> list[AuditRow]:
    """Every recorded change in the partnership, including removed objects, newest first."""
    from .models import CycleStage, Organisation, Person, Role, SubGroup

    sources = [
        (type(partnership), partnership.history.all(), lambda r: f"Partnership: {r.name}"),
        (Organisation, Organisation.history.filter(partnership_id=partnership.pk), lambda r: f"Organisation: {r.name}"),
        (Person, Person.history.filter(partnership_id=partnership.pk), lambda r: f"Person: {r.full_name}"),
        (SubGroup, SubGroup.history.filter(partnership_id=partnership.pk), lambda r: f"Sub-group: {r.name}"),
        (Role, Role.history.filter(partnership_id=partnership.pk), lambda r: f"Role: {r.get_kind_display()} – {_display(Role, 'person', r.person_id)}"),
        (CycleStage, CycleStage.history.filter(partnership_id=partnership.pk), lambda r: f"Stage: {r.get_stage_display()}"),
    ]
    return merged_history(sources, limit)


def merged_history(sources, limit: int = 200) -> list[AuditRow]:
    """The changes recorded in several history tables, newest first: ``sources`` is a list of
    (model, its historical records, a function naming a record's subject)."""
    rows = list(chain.from_iterable(
        _rows(records.select_related("history_user").order_by("-history_date")[:limit], model, subject)
        for model, records, subject in sources))
    rows.sort(key=lambda r: r.when, reverse=True)
    return rows[:limit]
