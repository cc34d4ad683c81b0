"""A real Celery worker process on the test database and the Redis broker, for tests that need one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from .servers import ROOT


def database_url() -> str:
    """The test database (pytest-django's), so the worker sees the rows the test commits."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, log: Path, env: dict[str, str], pool: str = "solo", concurrency: int = 1,
                 queues: str = "notifications"):
        self.log = log
        self.env = {**os.environ, "DATABASE_URL": database_url(), "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY,
                    "BANGFU_SECRET_KEY": settings.SECRET_KEY, **env}
        self.args = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", queues, "-P", pool,
                     "-c", str(concurrency), "-n", f"test-{uuid.uuid4().hex[:8]}@%h", "--without-heartbeat",
                     "--without-gossip", "--without-mingle", "-l", "INFO"]
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Worker:
        out = self.log.open("ab")
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b" ready." in self.log.read_bytes():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the worker did not start:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        """SIGKILL, the whole process group: no cleanup, no acknowledgement, no commit."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def running_worker(log: Path, env: dict[str, str], **kwargs):
    worker = Worker(log, env, **kwargs).start()
    try:
        yield worker
    finally:
        worker.stop()


def wait_until(predicate, timeout: float = 60, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
