"""Document services: request a rendering (a job a worker runs), run it, or render at once (CLI, tests)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import transaction

from backend.common import clock
from backend.common.errors import DomainError, Forbidden, ValidationFailed
from backend.common.jobs import enqueue_on_commit
from backend.households.models import PersonalDataAccess
from backend.tenancy.scoping import Actor
from workflows.core import transitions

from . import kinds, params
from .jobs import RENDER_JOB, SYSTEM, Progress, claim, fail
from .models import DocumentJob, upload_path
from .render import RENDERERS, Rendered
from .request import PersonalData, Request

log = logging.getLogger(__name__)



def _check_format(kind: kinds.Kind, fmt: str) -> None:
    if fmt not in kind.formats:
        raise ValidationFailed.on("format", f"{kind.title}可导出的格式：{'、'.join(kind.formats)}。")


def _check_reveal(actor: Actor, kind: kinds.Kind, reveal: bool) -> None:
    if reveal and (not actor.can_reveal or actor.user is None):
        raise Forbidden("您没有导出完整身份证号码和电话的权限。")
    if reveal and not kind.personal:
        raise ValidationFailed.on("reveal", f"{kind.title}不含需要遮蔽的个人信息。")


@transaction.atomic
def request_document(*, actor: Actor, kind: str, fmt: str = "pdf", raw: dict | None = None,
                     reveal: bool = False) -> DocumentJob:
    """Check the request, write a queued job and ask a worker for it after commit."""
    spec = kinds.get(kind)
    _check_format(spec, fmt)
    _check_reveal(actor, spec, reveal)
    resolved, stored = params.resolve(actor.tenant, raw or {}, spec.needs)
    kinds.authorise(actor, spec, resolved)
    village = resolved.village or (resolved.household.village if resolved.household else None)
    doc = DocumentJob.objects.create(
        tenant=actor.tenant, kind=spec.code, format=fmt, params=stored, reveal=reveal, requested_by=actor.user,
        town=resolved.town or (village.town if village else None), village=village, household=resolved.household,
        subject_id=resolved.subject_id,
    )
    transitions.log_creation(doc, actor=actor, data={"kind": spec.code, "format": fmt, "params": stored})
    enqueue_on_commit(RENDER_JOB, id=doc.pk)
    return doc


def render(*, actor: Actor, kind: str, fmt: str = "pdf", raw: dict | None = None, reveal: bool = False,
           progress: Callable[[int, int], None] | None = None,
           on_page: Callable[[int], None] | None = None) -> tuple[Rendered, PersonalData]:
    """Build and render one document now, as `actor` sees the records."""
    spec = kinds.get(kind)
    _check_format(spec, fmt)
    _check_reveal(actor, spec, reveal)
    resolved, _ = params.resolve(actor.tenant, raw or {}, spec.needs)
    kinds.authorise(actor, spec, resolved)
    personal = PersonalData(reveal)
    request = Request(tenant=actor.tenant, actor=actor, params=resolved, personal=personal,
                      progress=progress or (lambda done, total: None))
    output = spec.build(request)
    renderer = RENDERERS[fmt]
    rendered = renderer(output, on_page=on_page) if fmt == "pdf" else renderer(output)
    return rendered, personal


def _actor_of(doc) -> Actor:
    if doc.requested_by_id is None:
        return Actor.system_for(doc.tenant)
    actor = Actor.for_user(doc.requested_by)
    if actor is None or actor.tenant.pk != doc.tenant_id:
        raise Forbidden("申请人已不属于本单位，文档未生成。")
    return actor


def log_reveal(*, tenant, user, personal: PersonalData, reason: str) -> int:
    """One PersonalDataAccess row per person or household whose data left unmasked (SPEC §8)."""
    rows = [PersonalDataAccess(tenant=tenant, user=user, subject=subject, fields=sorted(fields), channel="export",
                               reason=reason[:200])
            for subject, fields in sorted(personal.revealed.items())]
    PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


def _store(doc: DocumentJob, rendered: Rendered, personal: PersonalData, progress: Progress) -> None:
    """Keep the file, log any reveal and mark the job done together; a failure leaves no file behind."""
    name = doc.file.storage.save(upload_path(doc, f"{doc.kind}-{doc.pk}.{doc.format}"), ContentFile(rendered.content))
    try:
        with transaction.atomic():
            doc.file.name = name
            doc.filename, doc.size, doc.pages = rendered.filename, len(rendered.content), rendered.pages
            doc.warnings, doc.stage = rendered.warnings, "完成"
            progress.onto(doc)
            if personal.revealed:
                log_reveal(tenant=doc.tenant, user=doc.requested_by, personal=personal,
                           reason=f"导出{kinds.get(doc.kind).title}（文档任务{doc.pk}）")
            transitions.apply(doc, "finish", actor=Actor.system_for(doc.tenant), roles=SYSTEM, at=clock.now())
    except BaseException:
        doc.file.storage.delete(name)
        raise


def run_document_job(job_id: int) -> DocumentJob | None:
    """Render a queued job and keep the file in Django's storage. Safe to run twice: a job already taken,
    done or failed is left alone."""
    doc = claim(DocumentJob, job_id)
    if doc is None:
        return None
    progress = Progress(DocumentJob, doc.pk)
    try:
        actor = _actor_of(doc)
        progress.stage("收集数据")
        rendered, personal = render(actor=actor, kind=doc.kind, fmt=doc.format, raw=doc.params, reveal=doc.reveal,
                                    progress=progress,
                                    on_page=lambda page: DocumentJob.objects.filter(pk=doc.pk).update(
                                        pages=page, stage="排版"))
        _store(doc, rendered, personal, progress)
        return doc
    except DomainError as e:
        fail(DocumentJob, doc.pk, e.message)
    except Exception:
        log.exception("document job %s failed", doc.pk)
        fail(DocumentJob, doc.pk, "生成失败：" + traceback.format_exc(limit=1).strip().splitlines()[-1][:300])
    return DocumentJob.objects.get(pk=doc.pk)
