"""Delivery's background work, run by the job worker: reminders sent from the manager's button
(one email per organisation, which a slow mail relay must not hold up in a web request)."""
try:  # Django 6 ships the same API; django-tasks is its backport for Django 5.2.
    from django.tasks import task
except ImportError:
    from django_tasks import task


@task()
def send_round_reminders(round_id: int, user_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from .models import ReturnRound
    from .services.returns import send_reminders

    round_ = ReturnRound.objects.select_related("partnership", "plan").get(pk=round_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return len(send_reminders(round_, user=user))
