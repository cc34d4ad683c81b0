"""Ask for background work after commit, by task name.

Lower layers never import Celery tasks (ARCHITECTURE): they write a row inside their transaction and call
`enqueue_on_commit`; a beat sweep claims any row still due, so a broker outage loses nothing.
"""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)

# Every job name used anywhere; a test checks each is a registered Celery task.
KNOWN_JOBS: set[str] = set()


def job(name: str) -> str:
    KNOWN_JOBS.add(name)
    return name


def _send(name: str, kwargs: dict) -> None:
    from celery import current_app

    try:
        current_app.send_task(name, kwargs=kwargs)
    except Exception:  # the row stays due; the sweep will find it
        log.warning("could not enqueue %s %s; the periodic sweep will pick it up", name, kwargs, exc_info=True)


def enqueue_on_commit(name: str, **kwargs) -> None:
    KNOWN_JOBS.add(name)
    transaction.on_commit(lambda: _send(name, kwargs))
