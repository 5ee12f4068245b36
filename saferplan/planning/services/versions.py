"""Versions of the plan: the snapshot every page, document and export reads, and comparing two."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from ..models import Plan, PlanVersion, with_unit

# --- Versions and approval ----------------------------------------------------------------------


def absolute(url: str) -> str:
    base = getattr(settings, "SAFERPLAN_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


def _num(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _origin(obj) -> int:
    """The first version of a theme, priority, action or KPI that later versions were copied from:
    the key that pairs them up when two versions of the plan are compared."""
    pk, parent = obj.pk, obj.copied_from_id
    while parent is not None:
        pk, parent = parent, type(obj)._default_manager.filter(pk=parent).values_list("copied_from_id", flat=True).first()
    return pk


def snapshot(plan: Plan, with_values: bool = False) -> dict:
    """The plan as data: themes, priorities (with evidence), actions (with owner, due date and
    funding) and KPIs. The JSON export, the versions and the documents all read this."""
    themes = plan.themes.prefetch_related(
        "priorities__evidence", "priorities__actions__kpis__values", "priorities__actions__owner",
        "priorities__actions__lead", "priorities__actions__sub_group", "priorities__issue")
    data_themes = []
    funding: dict[str, Decimal] = {}
    for theme in themes:
        priorities = []
        for priority in theme.priorities.all():
            actions = []
            for action in priority.actions.all():
                kpis = []
                for kpi in action.kpis.all():
                    entry = {
                        "id": kpi.pk, "key": _origin(kpi), "title": kpi.title, "unit": kpi.unit, "unit_label": kpi.get_unit_display(),
                        "baseline": _num(kpi.baseline),
                        "baseline_period": kpi.baseline_period, "target": _num(kpi.target),
                        "target_text": kpi.target_text, "direction": kpi.direction,
                        "direction_label": kpi.get_direction_display(), "frequency": kpi.frequency,
                        "source": kpi.source,
                        "measure": ({"kind": kpi.measure_kind, "category": kpi.measure_category,
                                     "dataset": kpi.measure_dataset, "measure": kpi.measure_name,
                                     "label": kpi.measure_label} if kpi.bound else None),
                    }
                    if with_values:
                        entry["values"] = [{"period": v.period_label, "start": v.period_start.isoformat(),
                                            "value": _num(v.value), "source": v.source} for v in kpi.values.all()]
                    kpis.append(entry)
                if action.funding_source and action.funding_amount is not None:
                    label = action.funding_source_name
                    funding[label] = funding.get(label, Decimal(0)) + action.funding_amount
                actions.append({
                    "id": action.pk, "key": _origin(action), "title": action.title, "description": action.description,
                    "owner_organisation": action.owner.name, "lead": action.lead.full_name if action.lead else None,
                    "sub_group": action.sub_group.name if action.sub_group else None,
                    "start_date": action.starts_on.isoformat() if action.starts_on else None,
                    "due_date": action.due_on.isoformat(),
                    "funding": {"source": action.funding_source_name or None,
                                "detail": action.funding_detail, "amount": _num(action.funding_amount)},
                    "url": absolute(action.get_absolute_url()),
                    "kpis": kpis,
                })
            priorities.append({
                "id": priority.pk, "key": _origin(priority), "title": priority.title, "description": priority.description,
                "outcome": priority.outcome, "issue": priority.issue.name if priority.issue else None,
                "url": absolute(priority.get_absolute_url()),
                "evidence": [{"kind": e.kind, "title": e.title, "url": absolute(e.url)} for e in priority.evidence.all()],
                "actions": actions,
            })
        data_themes.append({"id": theme.pk, "key": _origin(theme), "title": theme.title, "description": theme.description,
                            "priorities": priorities})
    partnership = plan.partnership
    return {
        "format": "saferplan-plan/1",
        "partnership": {"name": partnership.name, "slug": partnership.slug, "areas": partnership.areas},
        "plan": {"id": plan.pk, "title": plan.title, "start": plan.starts_on.isoformat(),
                 "end": plan.ends_on.isoformat(), "status": plan.status, "status_label": plan.get_status_display(),
                 "vision": plan.vision, "introduction": plan.introduction, "published": plan.published},
        "themes": data_themes,
        "funding": [{"source": k, "amount": _num(v)} for k, v in funding.items()],
        "approval": [{"stage": s.stage, "committee": s.committee, "meeting_date": s.meeting_on.isoformat(),
                      "comments": s.comments, "decision": s.get_decision_display(),
                      "decision_text": s.decision_text, "version": s.version.number if s.version else None}
                     for s in plan.approval_steps.select_related("version")],
    }


def save_version(plan: Plan, label: str, user=None) -> PlanVersion:
    number = (plan.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    return PlanVersion.objects.create(plan=plan, number=number, label=label[:200], status=plan.status,
                                      snapshot=snapshot(plan), created_by=user if getattr(user, "pk", None) else None)


# --- Comparing two versions ---------------------------------------------------------------------

ENTITY_FIELDS = {
    "plan": [("title", "Title"), ("start", "Starts"), ("end", "Ends"), ("status_label", "Status"),
             ("vision", "Vision"), ("introduction", "Introduction")],
    "theme": [("title", "Title"), ("description", "Description")],
    "priority": [("title", "Title"), ("description", "Why this is a priority"), ("outcome", "What success looks like"),
                 ("evidence", "Evidence")],
    "action": [("title", "Title"), ("description", "Description"), ("owner_organisation", "Owner organisation"),
               ("lead", "Lead person"), ("sub_group", "Sub-group"), ("start_date", "Start date"),
               ("due_date", "Due date"), ("funding", "Funding")],
    "kpi": [("title", "Indicator"), ("unit_label", "Unit"), ("baseline", "Baseline"), ("target", "Target"),
            ("target_text", "Target (in words)"),
            ("direction_label", "Direction"), ("frequency", "Frequency"), ("source", "Data source"),
            ("measure", "Bound to")],
}
NOUNS = {"plan": "Plan", "theme": "Theme", "priority": "Priority", "action": "Action", "kpi": "KPI"}


def _flatten(snap: dict) -> dict[str, tuple[str, str, dict]]:
    """key -> (noun, where it sits, fields)."""
    def key(entity):  # versions kept before revisions existed have no key: their id is their key
        return entity.get("key", entity["id"])

    out = {"plan": ("plan", "", snap["plan"])}
    for theme in snap.get("themes", []):
        out[f"theme:{key(theme)}"] = ("theme", "", theme)
        for priority in theme["priorities"]:
            out[f"priority:{key(priority)}"] = ("priority", theme["title"], priority)
            for action in priority["actions"]:
                out[f"action:{key(action)}"] = ("action", priority["title"], action)
                for kpi in action["kpis"]:
                    out[f"kpi:{key(kpi)}"] = ("kpi", action["title"], kpi)
    return out


def _text(name: str, value, entity: dict | None = None) -> str:
    if value in (None, "", [], {}):
        return "(blank)"
    if name in ("baseline", "target") and entity is not None:
        return with_unit(value, entity.get("unit", ""))
    if name == "evidence":
        return "; ".join(e["title"] for e in value)
    if name == "funding":
        parts = [value.get("source") or "None", value.get("detail") or ""]
        amount = value.get("amount")
        text = " – ".join(p for p in parts if p)
        return f"{text}: £{amount:,.0f}" if amount is not None else text
    if name == "measure":
        return value.get("label", "")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value).strftime("%-d %B %Y")
    return str(value)


@dataclass
class Difference:
    noun: str
    name: str
    where: str
    change: str  # added | removed | changed
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def compare(old: dict, new: dict) -> list[Difference]:
    """What changed between two snapshots, in plan order: added, removed and changed items."""
    a, b = _flatten(old), _flatten(new)
    result = []
    for key in list(b) + [k for k in a if k not in b]:
        noun, where, fields_new = b.get(key, (None, None, None))
        if key not in a:
            result.append(Difference(NOUNS[noun], fields_new.get("title", ""), where, "added"))
            continue
        noun_old, where_old, fields_old = a[key]
        if key not in b:
            result.append(Difference(NOUNS[noun_old], fields_old.get("title", ""), where_old, "removed"))
            continue
        changes = []
        for name, label in ENTITY_FIELDS[noun]:
            before = _text(name, fields_old.get(name), fields_old)
            after = _text(name, fields_new.get(name), fields_new)
            if before != after:
                changes.append((label, before, after))
        if changes:
            result.append(Difference(NOUNS[noun], fields_new.get("title", ""), where, "changed", changes))
    return result
