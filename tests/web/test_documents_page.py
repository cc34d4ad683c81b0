"""Documents page (SPEC §7): ask for a rendering, see its progress, download the file when a worker is done."""

from __future__ import annotations

import re

from backend.documents.models import DocumentJob
from backend.documents.services import run_document_job

from .helpers import signed_in, text


def test_a6_requested_rendered_by_the_worker_and_downloaded(cast, other, enqueued,
                                                            django_capture_on_commit_callbacks):
    client = signed_in(cast, "city_office")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/documents/", {"kind": "A6", "format": "xlsx"})
    assert response.status_code == 302
    job = DocumentJob.objects.get()
    assert enqueued == [("documents.render", {"id": job.pk})]
    polling = text(client.get("/documents/jobs/", HTTP_HX_REQUEST="true"))
    assert 'hx-trigger="every 2s"' in polling and "排队中" in polling
    run_document_job(job.pk)  # what the worker does
    done = text(client.get("/documents/jobs/", HTTP_HX_REQUEST="true"))
    assert "已完成" in done and 'hx-trigger' not in done
    download = client.get(f"/documents/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"  # an xlsx (zip) file
    assert signed_in(other, "city_office").get(f"/documents/{job.pk}/download/").status_code == 404


def test_a1_needs_a_town_and_the_error_sits_next_to_it(cast):
    response = signed_in(cast, "city_office").post("/documents/", {"kind": "A1", "format": "pdf"})
    assert response.status_code == 422
    assert re.search(r'<label for="id_town">镇街</label>.*?<p class="error"[^>]*>请指定镇街。', text(response))
    assert not DocumentJob.objects.exists()


def test_a1_of_another_town_is_refused_to_a_town_office(cast):
    from tests.factories import OrganisationFactory

    elsewhere = OrganisationFactory(tenant=cast.tenant, kind="town", unit_kind="", code="370683099", name="别的镇")
    response = signed_in(cast, "town_office").post("/documents/", {"kind": "A1", "format": "pdf",
                                                                   "town": elsewhere.code})
    assert response.status_code == 422 and "只有市扶贫办或别的镇扶贫办" in text(response)
