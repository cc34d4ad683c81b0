"""SPEC §7 with a real Celery worker on Redis and PostgreSQL: a document asked for through the API is
rendered by the worker (queue `documents`), with its progress in the API, and downloads as a real PDF;
an upload is imported by the worker in one transaction."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.documents.models import DocumentJob, ImportJob
from backend.households.models import Household
from tests.notifications.worker import running_worker, wait_until

from .conftest import pdf_text, squeeze
from .sheets import xlsx
from .test_imports import household_rows

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def purged_queue():
    from workers.app import app

    app.control.purge()  # jobs left by earlier runs point at rows that no longer exist
    yield


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_a_requested_document(cast, tmp_path, purged_queue):
    log = tmp_path / "worker.log"
    client = cast.client("town_office")
    with running_worker(log, {}, queues="documents"):
        job = client.post("/api/v1/documents/", {"kind": "A1", "town": cast.town.code, "on": "2018-06-30"},
                          format="json").json()
        assert wait_until(lambda: DocumentJob.objects.get(pk=job["id"]).state == "done", timeout=90), \
            log.read_text()[-3000:]
    shown = client.get(f"/api/v1/documents/{job['id']}/").json()
    assert shown["percent"] == 100 and shown["progress_done"] == shown["progress_total"] == 1
    assert shown["pages"] == 1 and shown["stage"] == "完成" and shown["warnings"] == []
    file = client.get(shown["download"])
    content = b"".join(file.streaming_content)
    assert "帮扶责任工作台账" in squeeze(pdf_text(content, tmp_path)) and "张德福" in squeeze(pdf_text(content, tmp_path))


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_upload(cast, tmp_path, purged_queue):
    log = tmp_path / "worker.log"
    content = xlsx(household_rows(cast.village.code, households=10))
    with running_worker(log, {}, queues="documents"):
        response = cast.client("city_office").post(
            "/api/v1/imports/", {"kind": "households", "file": SimpleUploadedFile("h.xlsx", content)},
            format="multipart")
        job = response.json()["id"]
        assert wait_until(lambda: ImportJob.objects.get(pk=job).state in ("done", "failed"), timeout=90), \
            log.read_text()[-3000:]
    done = ImportJob.objects.get(pk=job)
    assert done.state == "done", done.errors or done.error
    assert done.summary == {"households": 10, "members": 25} and done.progress_done == 25
    assert Household.objects.filter(code__startswith=cast.village.code).count() == 10
