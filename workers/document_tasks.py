"""Thin document tasks: load by id, call the documents service (routed to the `documents` queue)."""

from backend.documents import imports, jobs, services

from .app import app


@app.task(name="documents.render", acks_late=True)
def render(id: int) -> str:
    job = services.run_document_job(id)
    return job.state if job else "skipped"


@app.task(name="documents.import", acks_late=True)
def import_file(id: int) -> str:
    job = imports.run_import_job(id)
    return job.state if job else "skipped"


@app.task(name="documents.sweep", acks_late=True)
def sweep() -> int:
    """Jobs whose message was lost (broker down) or whose worker died mid-way are queued again."""
    return jobs.sweep()
