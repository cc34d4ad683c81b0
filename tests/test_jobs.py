"""Every job name enqueued by name is a registered Celery task (ARCHITECTURE)."""

import importlib
import pkgutil

import workflows
from backend.common.jobs import KNOWN_JOBS
from workers.app import app


def test_every_job_name_is_a_registered_task():
    for package in (workflows,):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    app.loader.import_default_modules()
    missing = sorted(name for name in KNOWN_JOBS if name not in app.tasks)
    assert not missing, f"enqueued but not registered: {missing}"
