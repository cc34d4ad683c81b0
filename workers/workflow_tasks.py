"""Workflow jobs: accepted replacements take effect on their date (S7). Thin and safe to run twice."""

from backend.tenancy.models import Tenant
from workflows.replacements.services import take_effect_due

from .app import app


@app.task(name="workflows.replacements_take_effect", acks_late=True, ignore_result=True)
def replacements_take_effect() -> int:
    """Each tenant's due replacements, on that tenant's local date; one transaction per replacement."""
    return sum(take_effect_due(tenant=tenant) for tenant in Tenant.objects.order_by("pk"))
