"""The beat schedule lives in the database (django-celery-beat); this writes our entries idempotently.

The engine's daily run is not a crontab per tenant: a tick every ENGINE_TICK_SECONDS starts each tenant's
run once its local clock reaches Policy.engine_hour, so a policy change needs no schedule change, and a run
missed while beat was down starts at the next tick.
"""

from __future__ import annotations

from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask


def _every(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    return schedule


def install() -> list[str]:
    entries = [
        ("deliver due notifications", "notifications.sweep", 30),
        ("replacements take effect on their date", "workflows.replacements_take_effect", 3600),
        ("re-queue lost or stuck document jobs", "documents.sweep", 120),
        ("remind first helpers of holiday deliveries", "deliveries.sweep", 3600),
        ("deadline engine daily runs", "engine.tick", settings.ENGINE_TICK_SECONDS),
    ]
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        entries.append(("purge processed broker messages", "system.purge_broker", 600))
    for name, task, seconds in entries:
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "interval": _every(seconds), "enabled": True})
    return [e[0] for e in entries]
