"""Imports (SPEC §7): read the file, validate every row, then all rows in one transaction or none.

`request_import` stores the upload and asks a worker for it; `run_import_job` is that worker's work;
`import_now` does both at once for `bangfu import` and tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction

from backend.common import clock
from backend.common.errors import DomainError, Forbidden, ValidationFailed
from backend.common.jobs import enqueue_on_commit
from backend.tenancy.scoping import Actor
from workflows.core import transitions

from ..jobs import IMPORT_JOB, SYSTEM, Progress, claim, fail
from ..models import ImportJob
from . import readers
from .base import Importer, normalise_header
from .cadres import CadreImporter
from .households import HouseholdImporter
from .units import UnitImporter

log = logging.getLogger(__name__)

IMPORTERS: dict[str, type[Importer]] = {i.kind: i for i in (UnitImporter, CadreImporter, HouseholdImporter)}
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Result:
    ok: bool
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    rows: int = 0

    @property
    def message(self) -> str:
        if self.ok:
            return f"已导入{self.rows}行。"
        return f"有{len({e['row'] for e in self.errors})}行数据有误，未导入任何数据。"


def importer_for(kind: str) -> type[Importer]:
    importer = IMPORTERS.get(str(kind))
    if importer is None:
        raise ValidationFailed.on("kind", f"不支持的导入类型“{kind}”，可选：{'、'.join(IMPORTERS)}。")
    return importer


def check_may_import(actor: Actor, importer: type[Importer]) -> None:
    if not actor.system and not actor.has(*importer.roles):
        raise Forbidden(f"您没有导入{importer.title}的权限。")


def _check_file(filename: str, content: bytes) -> None:
    if not content:
        raise ValidationFailed.on("file", "上传的文件是空的。")
    if len(content) > MAX_BYTES:
        raise ValidationFailed.on("file", f"文件超过{MAX_BYTES // 1024 // 1024}MB，请分批导入。")
    if not filename.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise ValidationFailed.on("file", "只能导入.xlsx或.csv文件。")


def validate(*, actor: Actor, kind: str, filename: str, content: bytes,
             progress: Callable[[int, int], None] = lambda done, total: None) -> tuple[Importer, object, Result]:
    """Read and validate every row. The result is not ok when any row is bad; nothing is written here."""
    importer = importer_for(kind)(actor)
    sheet = readers.read(filename, content, known_headers=importer.known_headers(), normalise=normalise_header)
    mapping = importer.map_headers(sheet)
    if importer.errors:
        return importer, None, Result(False, importer.errors.as_json(), rows=len(sheet.rows))
    if not sheet.rows:
        raise ValidationFailed.on("file", "文件中没有数据行。")
    rows = importer.rows(sheet, mapping)
    checked = importer.check(rows, progress)
    return importer, checked, Result(not importer.errors, importer.errors.as_json(), rows=len(rows))


def import_now(*, actor: Actor, kind: str, filename: str, content: bytes) -> Result:
    check_may_import(actor, importer_for(kind))
    _check_file(filename, content)
    importer, checked, result = validate(actor=actor, kind=kind, filename=filename, content=content)
    if result.ok:
        with transaction.atomic():
            result.summary = importer.write(checked)
    return result


@transaction.atomic
def request_import(*, actor: Actor, kind: str, filename: str, content: bytes) -> ImportJob:
    importer = importer_for(kind)
    check_may_import(actor, importer)
    _check_file(filename, content)
    job = ImportJob.objects.create(tenant=actor.tenant, kind=importer.kind, requested_by=actor.user,
                                   filename=filename[:200])
    extension = filename.rsplit(".", 1)[-1].lower()
    job.file.save(f"upload-{job.pk}.{extension}", ContentFile(content), save=True)
    transitions.log_creation(job, actor=actor, data={"kind": importer.kind, "filename": job.filename})
    enqueue_on_commit(IMPORT_JOB, id=job.pk)
    return job


def run_import_job(job_id: int) -> ImportJob | None:
    job = claim(ImportJob, job_id)
    if job is None:
        return None
    progress = Progress(ImportJob, job.pk)
    try:
        actor = Actor.for_user(job.requested_by) if job.requested_by_id else Actor.system_for(job.tenant)
        if actor is None or actor.tenant.pk != job.tenant_id:
            raise Forbidden("申请人已不属于本单位，未导入。")
        check_may_import(actor, importer_for(job.kind))
        with job.file.open("rb") as f:
            content = f.read()
        progress.stage("校验")
        importer, checked, result = validate(actor=actor, kind=job.kind, filename=job.filename, content=content,
                                             progress=progress)
        if result.ok:
            progress.stage("写入")
        # The rows and the job's "done" commit together: a worker dying in between leaves neither.
        with transaction.atomic():
            if result.ok:
                result.summary = importer.write(checked)
            job.errors, job.summary = result.errors, result.summary
            job.stage = "完成" if result.ok else "校验未通过"
            job.created_count = result.rows if result.ok else 0
            progress.onto(job)
            if result.ok:
                transitions.apply(job, "finish", actor=Actor.system_for(job.tenant), roles=SYSTEM, at=clock.now())
            else:
                transitions.apply(job, "fail", actor=Actor.system_for(job.tenant), roles=SYSTEM,
                                  reason=result.message, at=clock.now(), error=result.message)
        return job
    except DomainError as e:
        fail(ImportJob, job.pk, e.message)
    except Exception:
        log.exception("import job %s failed", job.pk)
        fail(ImportJob, job.pk, "导入失败：系统错误，未导入任何数据。")
    return ImportJob.objects.get(pk=job.pk)
