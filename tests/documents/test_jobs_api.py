"""Documents as jobs (SPEC §7): queued → rendering → done, progress, download by whoever may see the
records, reveal gated and logged (§8), tenant isolation (§2)."""

from __future__ import annotations

import pytest

from backend.documents import jobs, services
from backend.documents.models import DocumentJob, JobState
from backend.households.models import PersonalDataAccess
from tests.factories import OrganisationFactory
from workflows.core.models import TransitionLog


@pytest.fixture
def ask(committed):
    def post(cast, role="city_office", **body):
        return committed(cast.client(role).post, "/api/v1/documents/", body, format="json")

    return post


def run_jobs(enqueued):
    for name, kwargs in enqueued:
        assert name == "documents.render"
        services.run_document_job(kwargs["id"])


def test_a1_request_is_a_job_that_a_worker_renders(cast, paired, enqueued, ask):
    response = ask(cast, kind="A1", town=cast.town.code, on="2018-06-30")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["state"] == "queued" and body["download"] is None
    assert enqueued == [("documents.render", {"id": body["id"]})]
    run_jobs(enqueued)
    done = cast.client("city_office").get(f"/api/v1/documents/{body['id']}/").json()
    assert done["state"] == "done" and done["percent"] == 100
    assert done["progress_done"] == done["progress_total"] == 1 and done["pages"] == 1
    assert done["filename"] == "附件1-帮扶责任工作台账-城港路街道-20180630.pdf"
    file = cast.client("city_office").get(done["download"])
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert b"".join(file.streaming_content).startswith(b"%PDF-")
    log = TransitionLog.objects.for_object(DocumentJob.objects.get(pk=body["id"]))
    assert [r.transition for r in log] == ["create", "start", "finish"]


def test_running_a_job_twice_renders_it_once(cast, enqueued, ask):
    job = ask(cast, kind="A5").json()
    assert services.run_document_job(job["id"]).state == JobState.DONE
    assert services.run_document_job(job["id"]) is None


def test_download_before_done_is_409(cast, enqueued, ask):
    job = ask(cast, kind="A6").json()
    response = cast.client("city_office").get(f"/api/v1/documents/{job['id']}/download/")
    assert response.status_code == 409 and "尚不能下载" in response.json()["message"]


def test_bad_requests_answer_in_chinese(cast, ask):
    assert ask(cast, kind="A9").json()["fields"]["kind"][0].startswith("不支持的文档类型")
    assert ask(cast, kind="A1").json()["fields"]["town"] == ["请指定镇街。"]
    assert ask(cast, kind="A1", town="999").json()["fields"]["town"] == ["镇街“999”不存在。"]
    assert ask(cast, kind="households", format="pdf").json()["fields"]["format"] == ["贫困户名单可导出的格式：xlsx。"]


def test_a_town_office_renders_only_its_own_town(cast, enqueued, ask):
    elsewhere = OrganisationFactory(tenant=cast.tenant, kind="town", code="370683005", name="三山岛街道", unit_kind="")
    refused = ask(cast, "town_office", kind="A1", town=elsewhere.code)
    assert refused.status_code == 403 and "三山岛街道扶贫办" in refused.json()["message"]
    assert ask(cast, "town_office", kind="A1", town=cast.town.code).status_code == 202
    assert ask(cast, "unit_liaison", kind="A1", town=cast.town.code).status_code == 403


def test_who_may_download_follows_who_may_see_the_records(cast, enqueued, ask):
    ledger = ask(cast, kind="A1", town=cast.town.code).json()["id"]
    contacts = ask(cast, kind="A5").json()["id"]
    run_jobs(enqueued)
    town = cast.client("town_office")
    assert town.get(f"/api/v1/documents/{ledger}/download/").status_code == 200
    helper = cast.client("first_helper")
    assert helper.get(f"/api/v1/documents/{ledger}/").status_code == 404
    assert helper.get(f"/api/v1/documents/{contacts}/download/").status_code == 200
    assert [j["id"] for j in helper.get("/api/v1/documents/").json()["results"]] == [contacts]


def test_list_exports_stay_with_their_requester(cast, enqueued, ask):
    mine = ask(cast, "town_office", kind="households", format="xlsx").json()["id"]
    run_jobs(enqueued)
    assert cast.client("town_office").get(f"/api/v1/documents/{mine}/download/").status_code == 200
    assert cast.client("city_office").get(f"/api/v1/documents/{mine}/").status_code == 404


def test_s8_reveal_needs_the_permission_and_is_logged_per_subject(cast, paired, enqueued, ask):
    refused = ask(cast, "leading_group", kind="A1", town=cast.town.code, reveal=True)
    assert refused.status_code == 403 and refused.json()["message"] == "您没有导出完整身份证号码和电话的权限。"
    job = ask(cast, kind="A1", town=cast.town.code, format="xlsx", reveal=True).json()["id"]
    run_jobs(enqueued)
    access = PersonalDataAccess.objects.filter(tenant=cast.tenant, channel="export")
    assert sorted(access.values_list("subject", flat=True)) == sorted([
        f"households.Household:{cast.household.pk}", f"directory.Person:{cast.first_helper.pk}",
        f"directory.Person:{cast.second_helper.pk}"])
    assert {a.user_id for a in access} == {cast.users["city_office"].pk}
    # The unmasked file is its requester's alone, even for another tenant-wide role.
    assert cast.client("operator").get(f"/api/v1/documents/{job}/").status_code == 404


def test_other_tenants_documents_are_404_and_absent(cast, other, enqueued, ask):
    foreign = ask(other, kind="A5").json()["id"]
    ask(cast, kind="A5")
    client = cast.client("city_office")
    assert client.get(f"/api/v1/documents/{foreign}/").status_code == 404
    assert client.get(f"/api/v1/documents/{foreign}/download/").status_code == 404
    ids = [j["id"] for j in client.get("/api/v1/documents/").json()["results"]]
    assert ids and foreign not in ids
    foreign_town = ask(cast, kind="A1", town=other.town.pk)
    assert foreign_town.status_code == 400


def test_a_failed_rendering_says_why(cast, enqueued, ask):
    job = ask(cast, kind="A1", town=cast.town.code).json()["id"]
    cast.users["city_office"].membership.delete()
    services.run_document_job(job)
    failed = DocumentJob.objects.get(pk=job)
    assert failed.state == "failed" and failed.error == "申请人已不属于本单位，文档未生成。"


def test_the_sweep_asks_again_for_lost_and_stuck_jobs(cast, enqueued, ask, committed):
    import datetime as dt

    from backend.common import clock

    lost = ask(cast, kind="A5").json()["id"]
    enqueued.clear()
    later = clock.now() + dt.timedelta(minutes=5)
    assert committed(jobs.sweep, now=later) == 1 and enqueued == [("documents.render", {"id": lost})]
    stuck = jobs.claim(DocumentJob, lost)
    DocumentJob.objects.filter(pk=stuck.pk).update(started_at=clock.now() - dt.timedelta(hours=1))
    enqueued.clear()
    committed(jobs.sweep)
    assert DocumentJob.objects.get(pk=lost).state == "queued" and enqueued


def test_kinds_are_listed(cast):
    kinds = {k["kind"]: k for k in cast.client("first_helper").get("/api/v1/documents/kinds/").json()}
    assert kinds["A1"]["needs"] == ["town"] and kinds["A5"]["scope"] == "tenant"


def test_every_document_job_name_is_a_registered_task():
    from backend.common.jobs import KNOWN_JOBS
    from workers.app import app

    app.loader.import_default_modules()
    names = {"documents.render", "documents.import", "documents.sweep"}
    assert names <= set(app.tasks) and {"documents.render", "documents.import"} <= KNOWN_JOBS


def test_the_beat_schedule_runs_the_document_sweep(db):
    from django_celery_beat.models import PeriodicTask

    from workers.schedule import install

    install()
    assert PeriodicTask.objects.get(task="documents.sweep").enabled
