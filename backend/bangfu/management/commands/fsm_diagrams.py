"""Write the state diagrams of every machine (Mermaid) into docs/state-diagrams.md."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workflows.core.diagrams import document

DEFAULT = Path(settings.BASE_DIR) / "docs" / "state-diagrams.md"


class Command(BaseCommand):
    help = "Generate the state diagrams of every workflow from the models into docs/state-diagrams.md."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(DEFAULT), help="file to write (default: docs/state-diagrams.md)")
        parser.add_argument("--check", action="store_true", help="fail if the file is not current; write nothing")

    def handle(self, *args, **o):
        path = Path(o["out"])
        text = document()
        if o["check"]:
            if not path.exists() or path.read_text("utf-8") != text:
                raise CommandError(f"{path} is stale: run `bangfu fsm_diagrams`")
            self.stdout.write(f"{path} is current")
            return
        path.write_text(text, "utf-8")
        self.stdout.write(f"wrote {path}")
