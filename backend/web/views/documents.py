"""Documents: ask for a rendering (a worker makes it), watch its progress, download it when done (SPEC §7)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render

from backend.common.errors import Conflict, DomainError
from backend.directory.models import Organisation
from backend.documents import kinds, services
from backend.documents.models import DocumentJob, Format, JobState
from backend.tenancy.scoping import Actor, get_visible

from ..access import page
from ..errors import attach
from ..htmx import is_htmx

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="文件")
    format = forms.ChoiceField(label="格式", choices=Format.choices)
    town = forms.ChoiceField(label="镇街", required=False, help_text="台账、考勤表、季度报告须指定镇街")
    quarter = forms.CharField(label="季度", required=False, help_text="如 2018Q2")
    village = forms.CharField(label="村代码", required=False)
    household = forms.CharField(label="户编号", required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, f"{k.code} {k.title}" if k.code[0] == "A" else k.title)
                                       for k in kinds.KINDS.values()]
        towns = Organisation.objects.visible_to(actor).towns().order_by("code")
        self.fields["town"].choices = [("", "—")] + [(t.code, t.name) for t in towns]

    def raw(self) -> dict:
        return {f: self.cleaned_data[f] for f in ("town", "quarter", "village", "household") if self.cleaned_data[f]}


def _jobs(actor: Actor) -> dict:
    rows = list(DocumentJob.objects.visible_to(actor).select_related("town").order_by("-created_at", "-id")[:30])
    for job in rows:
        spec = kinds.KINDS.get(job.kind)
        job.title = spec.title if spec else job.kind
    return {"jobs": rows, "polling": any(not job.finished for job in rows)}


@page()
def documents(request):
    actor: Actor = request.actor
    form = DocumentForm(request.POST or None, actor=actor,
                        initial={"town": actor.organisation.code if actor.organisation.kind == "town" else ""})
    if request.method == "POST" and form.is_valid():
        try:
            job = services.request_document(actor=actor, kind=form.cleaned_data["kind"],
                                            fmt=form.cleaned_data["format"], raw=form.raw())
        except DomainError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"已提交生成“{kinds.get(job.kind).title}”，完成后可在下方下载。")
            return redirect("web:documents")
    return render(request, "web/documents/list.html", {"form": form, **_jobs(actor)},
                  status=422 if form.errors else 200)


@page()
def jobs(request):
    """The job list alone, polled by htmx while something is still queued or rendering."""
    if not is_htmx(request):
        return redirect("web:documents")
    return render(request, "web/documents/jobs.html", _jobs(request.actor))


@page()
def download(request, pk: int):
    job = get_visible(DocumentJob.objects.all(), request.actor, pk)
    if job.state != JobState.DONE or not job.file:
        raise Conflict(f"文档{job.get_state_display()}，尚不能下载。")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"))


