"""Thin tasks: load by id, call a service. Named `<area>.<verb>` and routed by area (workers.app)."""

import time
from pathlib import Path

from django.conf import settings

from .app import app


@app.task(name="system.ping")
def ping() -> str:
    """Used by health checks and tests to prove a worker consumes from the broker."""
    return "pong"


@app.task(name="system.purge_broker")
def purge_broker(max_age_seconds: int = 3600) -> int:
    """The filesystem broker keeps consumed messages in its processed folder; drop old ones."""
    folder = Path(settings.BROKER_DIR) / "processed"
    cutoff = time.time() - max_age_seconds
    removed = 0
    for path in folder.glob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
