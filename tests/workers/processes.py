"""Real processes for worker tests: Celery workers (tests/notifications/worker.py), Celery beat on the
database schedule, and `bangfu enforce` command processes, all on the test database and our Redis DB."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.notifications.servers import ROOT
from tests.notifications.worker import Worker, database_url, running_worker, wait_until

__all__ = ["Beat", "Worker", "database_url", "enforce_process", "finished", "running_worker", "wait_until"]


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url(), "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY,
            "BANGFU_SECRET_KEY": settings.SECRET_KEY, **extra}


class Beat:
    """`celery beat` with django-celery-beat's DatabaseScheduler, checking the schedule every second."""

    def __init__(self, log: Path, **env: str):
        self.log = log
        self.env = environment(**env)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Beat:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "-l", "INFO", "--pidfile=",
             "--max-interval", "1"], cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)


def enforce_process(as_of: str, tenant: str, log: Path) -> subprocess.Popen:
    """`bangfu enforce` as its own process, as an operator would type it."""
    bangfu = Path(sys.executable).with_name("bangfu")
    return subprocess.Popen([str(bangfu), "enforce", "--as-of", as_of, "--tenant", tenant], cwd=ROOT, env=environment(), stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


def finished(process: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
        raise TimeoutError("process did not finish")
    return process.returncode
