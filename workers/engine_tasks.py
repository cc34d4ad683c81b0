"""The deadline engine's tasks: beat's tick (workflows.engine.daily) and one run of a tenant for a date (runs)."""

from django.conf import settings

from workflows.engine import daily, runs

from .app import app


@app.task(name="engine.tick", acks_late=True, ignore_result=True)
def tick() -> list[int]:
    """Every minute: start each tenant's daily run once its policy hour has come in its time zone."""
    return daily.tick()


@app.task(name="engine.run", acks_late=True, ignore_result=True,
          soft_time_limit=settings.ENGINE_TASK_TIME_LIMIT - 60, time_limit=settings.ENGINE_TASK_TIME_LIMIT)
def run(run_id: int) -> dict | None:
    """Idempotent: a redelivered or repeated run skips the batches already done."""
    done = runs.execute_by_id(run_id)
    return done.counts if done is not None else None
