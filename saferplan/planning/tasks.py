"""The plan's scheduled and follow-on work, run by the job worker: KPIs bound to imported data
are refreshed when an import lands, and owners are reminded of KPI values that are due."""
from __future__ import annotations

import logging
from datetime import date

try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import services
from .models import KPI, MeasureKind, PlanStatus

log = logging.getLogger(__name__)

# Plans whose KPIs are still reported on: being written, on their way, or in delivery.
LIVE_PLANS = [PlanStatus.DRAFT, PlanStatus.BOARD, PlanStatus.SCRUTINY, PlanStatus.CABINET, PlanStatus.COUNCIL,
              PlanStatus.ADOPTED]


def refresh_for(partnership_ids: list[int]) -> int:
    """Re-read every bound KPI of the partnerships' live plans from the store; the values made."""
    made = 0
    kpis = (KPI.objects.exclude(measure_kind=MeasureKind.NONE)
            .filter(action__priority__theme__plan__partnership_id__in=partnership_ids,
                    action__priority__theme__plan__status__in=LIVE_PLANS)
            .select_related("action__priority__theme__plan__partnership"))
    for kpi in kpis:
        try:
            made += services.refresh_kpi_values(kpi)
        except Exception:  # noqa: BLE001 - one KPI the store cannot answer must not stop the rest
            log.warning("KPI %s could not be refreshed from the store", kpi.pk, exc_info=True)
    return made


@task()
def refresh_bound_kpis(partnership_ids: list[int]) -> int:
    return refresh_for(partnership_ids)


def due_kpi_values(today: date | None = None):
    """(kpi, period start, period label) for each ended reporting period of an adopted plan's KPI
    that is entered by a person (not bound to the store) and has no value yet."""
    today = today or timezone.localdate()
    kpis = (KPI.objects.filter(measure_kind=MeasureKind.NONE, action__priority__theme__plan__status=PlanStatus.ADOPTED)
            .select_related("action__owner", "action__lead", "action__priority__theme__plan__partnership")
            .prefetch_related("values"))
    for kpi in kpis:
        reported = {v.period_start for v in kpi.values.all()}
        for start, _end, label in services.reportable_periods(kpi, today):
            if start not in reported:
                yield kpi, start, label


def recipients(kpi) -> list[str]:
    """The action's lead, or else the partner officers of the organisation that owns the action."""
    from saferplan.partnership.models import Role, RoleKind

    action = kpi.action
    if action.lead_id and action.lead.email:
        return [action.lead.email]
    roles = Role.objects.filter(partnership=kpi.plan.partnership, kind=RoleKind.PARTNER_OFFICER,
                                organisation=action.owner).select_related("person")
    return sorted({r.person.email for r in roles if r.person.email})


def send_reminders(today: date | None = None) -> int:
    """Email each due KPI value's owners once: the ``Notice`` row, unique by KPI and period, is
    written in the same transaction as the sending is decided, so a second run sends nothing."""
    from saferplan.ops.models import Notice

    sent = 0
    for kpi, start, label in due_kpi_values(today):
        to = recipients(kpi)
        if not to:
            continue
        try:
            with transaction.atomic():
                Notice.objects.create(kind="kpi-value-due", key=f"{kpi.pk}:{start.isoformat()}", recipients=to)
                url = settings.SITE_URL.rstrip("/") + kpi.get_absolute_url() if getattr(settings, "SITE_URL", "") \
                    else kpi.get_absolute_url()
                send_mail(
                    subject=f"KPI value due: {kpi.title[:80]} ({label})",
                    message=(f"The {kpi.plan.partnership} community safety plan reports “{kpi.title}” "
                             f"for the action “{kpi.action.title}”.\n\nNo value has been reported for {label}, "
                             f"which has ended. Report it on Saferplan: {url}\n"),
                    from_email=None, recipient_list=to)
        except IntegrityError:
            continue  # already reminded
        sent += 1
    return sent


@task()
def send_kpi_reminders() -> str:
    from saferplan.ops.schedule import record_outcome

    sent = send_reminders()
    outcome = f"{sent} reminder{'s' if sent != 1 else ''} of KPI values due sent"
    record_outcome("kpi-reminders", outcome)
    return outcome
