"""The Celery app: configured from Django settings (CELERY_*), tasks discovered in `workers.tasks`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.bangfu.settings")

app = Celery("bangfu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "default"
app.conf.task_routes = {
    "engine.*": {"queue": "engine"},
    "notifications.*": {"queue": "notifications"},
    "documents.*": {"queue": "documents"},
}
app.conf.imports = ("workers.tasks", "workers.notification_tasks", "workers.document_tasks",
                    "workers.workflow_tasks", "workers.plans_tasks")
