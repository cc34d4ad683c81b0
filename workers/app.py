"""The Celery app: configured from Django settings (CELERY_*), one queue per kind of work.

Queues: `engine` (the deadline engine's runs), `notifications` (deliveries), `documents` (PDF/xlsx jobs) and
`default` (beat's small sweeps and ticks), so a long engine run never holds up a reminder going out.
Tasks acknowledge late (CELERY_TASK_ACKS_LATE) and the broker's visibility timeout is longer than the
longest task's time limit, so a task of a killed worker is delivered again, never twice at once on time.
"""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.bangfu.settings")

QUEUES = ("engine", "notifications", "documents", "default")

app = Celery("bangfu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "default"
# Each queue its own direct exchange and routing key: a message for one queue never lands in another.
app.conf.task_queues = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES]
app.conf.task_default_exchange = "default"
app.conf.task_default_routing_key = "default"
app.conf.task_routes = {
    "engine.tick": {"queue": "default"},
    "engine.*": {"queue": "engine"},
    "notifications.*": {"queue": "notifications"},
    "documents.*": {"queue": "documents"},
}
# One line per area's task module; each area adds its own line.
app.conf.imports = (
    "workers.tasks",
    "workers.notification_tasks",
    "workers.document_tasks",
    "workers.workflow_tasks",
    "workers.plans_tasks",
    "workers.engine_tasks",
)
