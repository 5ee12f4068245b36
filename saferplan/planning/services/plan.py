"""The plan itself: which plan is current, adopted or public; starting, revising and publishing it."""
from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from saferplan.partnership.audit import merged_history
from saferplan.partnership.models import default_plan_period

from ..models import (
    Action,
    EIAAction,
    EIARow,
    EqualityImpactAssessment,
    Evidence,
    IllegalMove,
    KPI,
    KPIValue,
    Plan,
    PlanStatus,
    Priority,
    Theme,
    YouSaidWeDid,
)
from .versions import save_version


# --- The plan -----------------------------------------------------------------------------------


def current_plan(partnership) -> Plan | None:
    """The plan being worked on or in force: the latest by start date (a revision of the adopted
    plan, while it is being drafted and approved, before the plan it revises)."""
    return (Plan.objects.filter(partnership=partnership).exclude(status=PlanStatus.SUPERSEDED)
            .order_by("-starts_on", "-pk").first())


def adopted_plan(partnership) -> Plan | None:
    """The plan in force: the latest adopted one (never a draft revision of it)."""
    return Plan.objects.filter(partnership=partnership, status=PlanStatus.ADOPTED).order_by("-starts_on", "-pk").first()


def adopted_plan_during(partnership, starts_on: date, ends_on: date) -> Plan | None:
    """The adopted plan whose period overlaps these dates: a new plan for them would be a second,
    unapproved version of it."""
    return Plan.objects.filter(partnership=partnership, status=PlanStatus.ADOPTED, starts_on__lte=ends_on,
                               ends_on__gte=starts_on).first()


def public_plan(partnership) -> Plan | None:
    """What the public sees: the adopted plan if it is published; before any plan is adopted, a
    published draft (shown as a draft). A revision becomes public only when it is adopted."""
    published = Plan.objects.filter(partnership=partnership, published=True).order_by("-starts_on", "-pk")
    return (published.filter(status=PlanStatus.ADOPTED).first()
            or published.exclude(status__in=[PlanStatus.SUPERSEDED]).filter(revision_of__isnull=True).first())


def revision_in_progress(plan: Plan) -> Plan | None:
    return plan.revisions.exclude(status__in=[PlanStatus.ADOPTED, PlanStatus.SUPERSEDED]).order_by("-pk").first()


def plan_period(partnership, today: date | None = None) -> tuple[date, date]:
    """Three years from 1 April: the partnership's recorded period, else the next one."""
    if partnership.plan_start and partnership.plan_end:
        return partnership.plan_start, partnership.plan_end
    return default_plan_period(today)


def default_title(partnership, starts_on: date, ends_on: date) -> str:
    return f"{partnership.name} Plan {starts_on:%Y} to {ends_on:%Y}"


def start_plan(partnership, **fields) -> Plan:
    starts_on, ends_on = plan_period(partnership)
    fields.setdefault("starts_on", starts_on)
    fields.setdefault("ends_on", ends_on)
    fields.setdefault("title", default_title(partnership, fields["starts_on"], fields["ends_on"]))
    return Plan.objects.create(partnership=partnership, **fields)


def next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1

def _carry_kpi_values(plan: Plan) -> None:
    """Values reported on the adopted plan's KPIs while the revision was being approved carry on."""
    for kpi in KPI.objects.filter(action__priority__theme__plan=plan, copied_from__isnull=False):
        have = set(kpi.values.values_list("period_start", flat=True))
        for value in kpi.copied_from.values.exclude(period_start__in=have):
            _copy_value(value, kpi)


def _copy_value(value: KPIValue, kpi) -> KPIValue:
    return KPIValue.objects.create(kpi=kpi, period_label=value.period_label, period_start=value.period_start,
                                   period_end=value.period_end, value=value.value, source=value.source,
                                   note=value.note, correction_reason=value.correction_reason,
                                   entered_by=value.entered_by)


@transaction.atomic
def start_revision(plan: Plan, user=None) -> Plan:
    """A new draft version of the adopted plan, with its structure copied (themes, priorities and
    their evidence, actions, KPIs and their values, the EIA and "You said, we did"). The adopted
    plan stays in force and public until the revision is adopted through the approval route."""
    if plan.status != PlanStatus.ADOPTED:
        raise IllegalMove("Only the adopted plan can be revised; this plan is "
                          f"{plan.get_status_display().lower()}, so change it directly")
    existing = revision_in_progress(plan)
    if existing is not None:
        return existing
    revision = Plan.objects.create(
        partnership=plan.partnership, title=plan.title, starts_on=plan.starts_on, ends_on=plan.ends_on,
        introduction=plan.introduction, vision=plan.vision, concern_question_id=plan.concern_question_id,
        revision_of=plan)
    priorities, actions = {}, {}
    for theme in plan.themes.all():
        new_theme = Theme.objects.create(plan=revision, title=theme.title, description=theme.description,
                                         order=theme.order, copied_from=theme)
        for priority in theme.priorities.all():
            new_priority = Priority.objects.create(theme=new_theme, title=priority.title,
                                                   description=priority.description, outcome=priority.outcome,
                                                   issue=priority.issue, order=priority.order, copied_from=priority)
            priorities[priority.pk] = new_priority
            _copy_evidence(priority, new_priority)
            for action in priority.actions.all():
                new_action = Action.objects.create(
                    priority=new_priority, title=action.title, description=action.description, owner=action.owner,
                    lead=action.lead, sub_group=action.sub_group, starts_on=action.starts_on, due_on=action.due_on,
                    funding_source=action.funding_source, funding_detail=action.funding_detail,
                    funding_amount=action.funding_amount, order=action.order, copied_from=action)
                actions[action.pk] = new_action
                for kpi in action.kpis.all():
                    fields = {f.attname: getattr(kpi, f.attname) for f in KPI._meta.concrete_fields
                              if f.attname not in ("id", "action_id", "copied_from_id")}
                    new_kpi = KPI.objects.create(action=new_action, copied_from=kpi, **fields)
                    for value in kpi.values.all():
                        _copy_value(value, new_kpi)
    eia = EqualityImpactAssessment.objects.filter(plan=plan).first()
    if eia is not None:
        fields = {f.attname: getattr(eia, f.attname) for f in EqualityImpactAssessment._meta.concrete_fields
                  if f.attname not in ("id", "plan_id", "status", "signed_off_by", "signed_off_role",
                                       "signed_off_on")}
        new_eia = EqualityImpactAssessment.objects.create(plan=revision, **fields)
        for row in eia.rows.all():
            new_row = EIARow.objects.create(eia=new_eia, characteristic=row.characteristic, impact=row.impact,
                                            narrative=row.narrative)
            _copy_evidence(row, new_row)
        for a in eia.actions.all():
            EIAAction.objects.create(eia=new_eia, inequality=a.inequality, action=a.action, owner=a.owner,
                                     timescale=a.timescale, order=a.order)
    for row in plan.you_said.all():
        new_row = YouSaidWeDid.objects.create(plan=revision, you_said=row.you_said, we_did=row.we_did, order=row.order)
        new_row.priorities.set([priorities[p.pk] for p in row.priorities.all() if p.pk in priorities])
        new_row.actions.set([actions[a.pk] for a in row.actions.all() if a.pk in actions])
        _copy_evidence(row, new_row)
    save_version(revision, f"Revision of the plan adopted on {plan.adopted_at:%-d %B %Y}" if plan.adopted_at
                 else "Revision of the adopted plan", user)
    return revision


def _copy_evidence(subject, to) -> None:
    content_type = ContentType.objects.get_for_model(to)
    for e in subject.evidence.all():
        Evidence.objects.create(partnership=e.partnership, content_type=content_type, object_id=to.pk, kind=e.kind,
                                title=e.title, url=e.url, summary=e.summary, criterion=e.criterion,
                                source_app=e.source_app, source_model=e.source_model, source_pk=e.source_pk,
                                automatic=e.automatic, order=e.order)


def publish(plan: Plan, published: bool = True) -> None:
    if published and plan.revision_of_id and plan.status != PlanStatus.ADOPTED:
        raise IllegalMove("A revision is published when it is adopted: until then the public sees the adopted plan")
    plan.published = published
    plan.published_at = timezone.now() if published else None
    plan.save()
    if published:
        prepare_public_documents(plan)


def prepare_public_documents(plan: Plan) -> None:
    """The worker renders the public documents now, so that the first reader is served them."""
    from saferplan.documents.tasks import prepare_documents

    from ..stored_documents import plan_keys

    prepare_documents.enqueue(plan_keys(plan))


def plan_history(plan: Plan, limit: int = 300) -> list:
    """Every recorded change to the plan and its themes, priorities, actions, KPIs and their
    values (removed ones too), newest first."""
    theme_ids = set(Theme.history.filter(plan_id=plan.pk).values_list("id", flat=True))
    priority_ids = set(Priority.history.filter(theme_id__in=theme_ids).values_list("id", flat=True))
    action_ids = set(Action.history.filter(priority_id__in=priority_ids).values_list("id", flat=True))
    kpi_ids = set(KPI.history.filter(action_id__in=action_ids).values_list("id", flat=True))
    return merged_history([
        (Plan, plan.history.all(), lambda r: f"Plan: {r.title}"),
        (Theme, Theme.history.filter(id__in=theme_ids), lambda r: f"Theme: {r.title}"),
        (Priority, Priority.history.filter(id__in=priority_ids), lambda r: f"Priority: {r.title}"),
        (Action, Action.history.filter(id__in=action_ids), lambda r: f"Action: {r.title}"),
        (KPI, KPI.history.filter(id__in=kpi_ids), lambda r: f"KPI: {r.title}"),
        (KPIValue, KPIValue.history.filter(kpi_id__in=kpi_ids), lambda r: f"KPI value: {r.period_label}"),
    ], limit)
