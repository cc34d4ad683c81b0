"""bangfu render KIND --out FILE [--town CODE] [--quarter 2018Q2] [--household ID] [--tenant CODE] (SPEC §9)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.common.errors import DomainError
from backend.documents import kinds, services
from backend.tenancy.models import Tenant
from backend.tenancy.scoping import Actor


def tenant_for(code: str | None) -> Tenant:
    if code:
        tenant = Tenant.objects.filter(code=code).first()
        if tenant is None:
            raise CommandError(f"no tenant with code {code}")
        return tenant
    tenants = list(Tenant.objects.order_by("code")[:2])
    if len(tenants) != 1:
        raise CommandError("name the tenant with --tenant CODE" if tenants else "no tenant yet: run bangfu seed laizhou")
    return tenants[0]


class Command(BaseCommand):
    help = "Render a document synchronously (operators, tests). The format follows --out: .pdf, .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("kind", help=f"one of {', '.join(kinds.KINDS)}")
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--tenant", help="tenant division code (needed when there are several)")
        parser.add_argument("--town", help="town division code, e.g. 370683004")
        parser.add_argument("--village", help="village code")
        parser.add_argument("--household", help="household id or code")
        parser.add_argument("--quarter", help="e.g. 2018Q2")
        parser.add_argument("--year", help="e.g. 2018")
        parser.add_argument("--subject", help="id of the record the document is about (escalation, …)")
        parser.add_argument("--on", help="the date the document speaks for (default: today)")

    def handle(self, *args, **o):
        out = Path(o["out"])
        fmt = out.suffix.lstrip(".").lower()
        actor = Actor.system_for(tenant_for(o["tenant"]))
        raw = {k: o[k] for k in ("town", "village", "household", "quarter", "year", "subject", "on") if o[k]}
        try:
            rendered, _ = services.render(actor=actor, kind=o["kind"], fmt=fmt, raw=raw)
        except DomainError as e:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in e.fields.items())
            raise CommandError(f"{e.message} {detail}".strip()) from None
        out.write_bytes(rendered.content)
        summary = f"{out}: {len(rendered.content)} bytes"
        if rendered.pages:
            summary += f", {rendered.pages} pages in {rendered.engine_seconds:.2f} s"
        for warning in rendered.warnings[:20]:
            self.stderr.write(f"warning: {warning}")
        if len(rendered.warnings) > 20:
            self.stderr.write(f"… {len(rendered.warnings) - 20} more warnings")
        self.stdout.write(summary)
