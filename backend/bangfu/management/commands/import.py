"""bangfu import KIND FILE [--tenant CODE]: validate every row, import all or nothing (SPEC §7, §9)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.common.errors import DomainError
from backend.documents import imports
from backend.tenancy.scoping import Actor

from .render import tenant_for


class Command(BaseCommand):
    help = "Import units with quotas, cadres or households with members from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(imports.IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--tenant", help="tenant division code (needed when there are several)")

    def handle(self, *args, **o):
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = Actor.system_for(tenant_for(o["tenant"]))
        try:
            result = imports.import_now(actor=actor, kind=o["kind"], filename=path.name, content=path.read_bytes())
        except DomainError as e:
            raise CommandError(e.message) from None
        if not result.ok:
            for e in result.errors:
                self.stderr.write(f"第{e['row']}行 [{e['column']}] {e['message']}")
            raise CommandError(result.message)
        counts = ", ".join(f"{k} {v}" for k, v in result.summary.items())
        self.stdout.write(f"{result.message} {counts}")
