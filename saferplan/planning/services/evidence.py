"""Citing evidence: one piece of another stage's evidence attached to a priority, issue, EIA row or
"You said" row."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from ..evidence_sources import Item
from ..models import CandidateIssue, EIARow, Evidence, Priority
from .plan import next_order


# --- Evidence -----------------------------------------------------------------------------------


def cite(subject, item: Item, *, criterion: str = "", automatic: bool = False, partnership=None) -> Evidence:
    """Attach one piece of evidence to a priority, issue, EIA row or "You said" row (no duplicates)."""
    partnership = partnership or _partnership_of(subject)
    content_type = ContentType.objects.get_for_model(subject)
    existing = Evidence.objects.filter(content_type=content_type, object_id=subject.pk, kind=item.kind,
                                       criterion=criterion)
    if item.source_model:
        existing = existing.filter(source_app=item.source_app, source_model=item.source_model,
                                   source_pk=item.source_pk)
    else:
        existing = existing.filter(title=item.title, url=item.url)
    evidence = existing.first()
    values = {"title": item.title[:500], "url": item.url[:500], "summary": item.summary[:2000],
              "automatic": automatic}
    if evidence is None:
        order = next_order(Evidence.objects.filter(content_type=content_type, object_id=subject.pk))
        return Evidence.objects.create(partnership=partnership, content_type=content_type, object_id=subject.pk,
                                       kind=item.kind, criterion=criterion, source_app=item.source_app,
                                       source_model=item.source_model, source_pk=item.source_pk, order=order,
                                       **values)
    changed = [k for k, v in values.items() if getattr(evidence, k) != v]
    if changed:
        for k in changed:
            setattr(evidence, k, values[k])
        evidence.save()
    return evidence


def _partnership_of(subject):
    if isinstance(subject, CandidateIssue):
        return subject.partnership
    if isinstance(subject, Priority):
        return subject.theme.plan.partnership
    if isinstance(subject, EIARow):
        return subject.eia.plan.partnership
    return subject.plan.partnership


def item_of(evidence: Evidence) -> Item:
    return Item(evidence.kind, evidence.title, evidence.url, evidence.summary, evidence.source_app,
                evidence.source_model, evidence.source_pk)
