"""The Celery app: a queue per kind of work with its own routing, late acknowledgement, a visibility timeout
longer than the longest task, and the beat schedule written into the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from workers.app import QUEUES, app
from workers.schedule import install


def test_queues_by_kind_of_work_each_with_its_own_routing_key():
    declared = {q.name: q for q in app.conf.task_queues}
    assert set(declared) == set(QUEUES) == {"engine", "notifications", "documents", "default"}
    assert len({(q.exchange.name, q.routing_key) for q in declared.values()}) == 4  # nothing lands twice
    router = app.amqp.router
    for task, queue in (("engine.run", "engine"), ("engine.tick", "default"), ("notifications.deliver", "notifications"),
                        ("documents.render", "documents"), ("system.ping", "default")):
        assert router.route({}, task)["queue"].name == queue


def test_tasks_acknowledge_late_and_the_broker_waits_longer_than_the_longest_task():
    app.loader.import_default_modules()
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    run = app.tasks["engine.run"]
    assert run.acks_late and run.time_limit == settings.ENGINE_TASK_TIME_LIMIT
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        assert app.conf.broker_transport_options["visibility_timeout"] > run.time_limit


@pytest.mark.django_db
def test_the_beat_schedule_lives_in_the_database_and_installs_idempotently():
    install()
    install()
    tick = PeriodicTask.objects.get(task="engine.tick")
    assert tick.enabled and tick.interval.every == settings.ENGINE_TICK_SECONDS
    assert PeriodicTask.objects.filter(task="notifications.sweep").count() == 1
