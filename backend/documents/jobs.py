"""Job plumbing shared by renderings and imports: the claim, progress, failure and the sweep."""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction

from backend.common import clock
from backend.common.errors import StaleObject
from backend.common.jobs import enqueue_on_commit, job
from backend.tenancy.scoping import Actor
from workflows.core import transitions

from .models import DocumentJob, ImportJob, JobState

RENDER_JOB = job("documents.render")
IMPORT_JOB = job("documents.import")
SYSTEM = ()  # job transitions are the worker's: only the system actor runs them
RUNNING = (JobState.RENDERING, JobState.IMPORTING)
LOST_AFTER = dt.timedelta(minutes=2)  # a queued job nobody took this long after it was asked for
STUCK_AFTER = dt.timedelta(minutes=30)  # a worker that died mid-way (far longer than any rendering)


class Progress:
    """Writes rows done / total to the job at most twice a second (and always the last figure)."""

    def __init__(self, model, pk: int, interval: float = 0.5):
        self.model, self.pk, self.interval = model, pk, interval
        self._last = 0.0
        self.done = self.total = 0

    def __call__(self, done: int, total: int, stage: str | None = None) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if done < total and stage is None and now - self._last < self.interval:
            return
        self._last = now
        values = {"progress_done": done, "progress_total": total}
        if stage is not None:
            values["stage"] = stage
        self.model.objects.filter(pk=self.pk).update(**values)

    def stage(self, name: str) -> None:
        self.model.objects.filter(pk=self.pk).update(stage=name)

    def onto(self, obj) -> None:
        """Copy the last figures onto the instance a final save() will write."""
        obj.progress_done, obj.progress_total = self.done, self.total


def claim(model, pk: int, name: str = "start"):
    """queued → running as one guarded UPDATE: of two workers given the same job, one gets it."""
    obj = model.objects.select_related("tenant", "requested_by").filter(pk=pk).first()
    if obj is None or obj.state != JobState.QUEUED:
        return None
    try:
        with transaction.atomic():
            transitions.apply(obj, name, actor=Actor.system_for(obj.tenant), roles=SYSTEM, at=clock.now())
    except StaleObject:
        return None
    return obj


def fail(model, pk: int, error: str) -> None:
    with transaction.atomic():
        obj = model.objects.select_related("tenant").get(pk=pk)
        if obj.state in (JobState.DONE, JobState.FAILED):
            return
        transitions.apply(obj, "fail", actor=Actor.system_for(obj.tenant), roles=SYSTEM, reason=error[:200],
                          at=clock.now(), error=error)



def sweep(now: dt.datetime | None = None) -> int:
    """Ask again for jobs whose message was lost, and queue again those a dead worker left running.
    Claiming stays a guarded UPDATE, so a job asked for twice still runs once."""
    now = now or clock.now()
    count = 0
    for model, name in ((DocumentJob, RENDER_JOB), (ImportJob, IMPORT_JOB)):
        lost = model.objects.filter(state=JobState.QUEUED, created_at__lt=now - LOST_AFTER)
        for pk in lost.values_list("pk", flat=True):
            with transaction.atomic():
                enqueue_on_commit(name, id=pk)
            count += 1
        for obj in model.objects.filter(state__in=RUNNING, started_at__lt=now - STUCK_AFTER).select_related("tenant"):
            try:
                with transaction.atomic():
                    transitions.apply(obj, "requeue", actor=Actor.system_for(obj.tenant), roles=SYSTEM,
                                      reason="处理超时，重新排队")
                    enqueue_on_commit(name, id=obj.pk)
                count += 1
            except StaleObject:
                continue
    return count
