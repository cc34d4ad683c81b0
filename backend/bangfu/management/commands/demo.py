"""`bangfu demo`: the whole service on the embedded default (SPEC §10) — web, worker and beat."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from backend.bangfu.accounts import add_user
from backend.bangfu.seed import LAIZHOU, seed
from backend.common import clock
from backend.directory.models import Organisation, OrgKind
from backend.tenancy.models import Membership, Tenant
from backend.tenancy.roles import Role
from workflows.pairings.models import Pairing, PairingState

DEMO_TOWN = "370683004"  # 城港路街道
# Just after the May–June 2018 window became judgeable (SPEC §5: 2018-07-06), so the engine has misses to show.
DEMO_TODAY = dt.date(2018, 7, 10)


def demo_logins() -> list[tuple[str, str, list[str], dict]]:
    pairing = (Pairing.objects.filter(tenant__code=LAIZHOU, state=PairingState.ACTIVE,
                                      household__village__town__code=DEMO_TOWN)
               .select_related("first_helper__organisation").order_by("pk").first())
    unit = pairing.first_helper.organisation.code if pairing else \
        Organisation.objects.filter(tenant__code=LAIZHOU, kind=OrgKind.UNIT).order_by("code").first().code
    logins = [
        ("admin", "city-office", [Role.OPERATOR], {"can_reveal": True}),
        ("city", "city-office", [Role.CITY_OFFICE], {"can_reveal": True}),
        ("leader", "leading-group", [Role.LEADING_GROUP], {}),
        ("town", DEMO_TOWN, [Role.TOWN_OFFICE], {"can_reveal": True}),
        ("unit", unit, [Role.UNIT_LIAISON], {}),
        ("assessor", "org-dept", [Role.ASSESSOR], {}),
    ]
    if pairing:
        logins.append(("helper1", unit, [Role.FIRST_HELPER], {"person_id": pairing.first_helper_id}))
        logins.append(("helper2", DEMO_TOWN, [Role.SECOND_HELPER], {"person_id": pairing.second_helper_id}))
    return logins


class Command(BaseCommand):
    help = "Run Bangfu on the embedded default: migrate, seed 莱州市 if empty, demo logins, web + worker + beat."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=DEMO_TODAY, metavar="YYYY-MM-DD",
                            help="the demo clock's date when the demo is first seeded (it then runs on from there)")
        parser.add_argument("--prepare-only", action="store_true", help="set up data and logins, start nothing")

    def handle(self, *args, **o):
        call_command("migrate", interactive=False, verbosity=0)
        if not Tenant.objects.filter(code=LAIZHOU).exists():
            self.set_clock(o["today"])
            self.stdout.write("seeding the demo tenant 莱州市 (370683)…")
            stats = seed(households=o["households"], visits_until=o["today"] - dt.timedelta(days=1))
            self.stdout.write(f"  {stats.towns} towns, {stats.contacts} contacts, {stats.households} households, "
                              f"{stats.pairings} pairings, {stats.visits} visits and calls")
        today = clock.local_today("Asia/Shanghai")
        self.stdout.write(f"demo clock: {today:%Y-%m-%d} ({settings.BANGFU_CLOCK_OFFSET_DAYS:+d} days from the wall clock)")
        self.logins()
        call_command("setup_schedule", verbosity=0)
        if o["prepare_only"]:
            return
        self.run(o["host"], o["port"])

    def set_clock(self, today: dt.date) -> None:
        """The 2018 campaign replays from `today`: every process of this data directory reads the offset."""
        offset = (today - dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()).days
        (settings.DATA_DIR / "demo-clock-offset-days").write_text(str(offset))
        settings.BANGFU_CLOCK_OFFSET_DAYS = offset

    def logins(self) -> None:
        created = []
        for username, org, roles, extra in demo_logins():
            if Membership.objects.filter(user__username=username).exists():
                continue
            password = secrets.token_urlsafe(9)
            add_user(username=username, tenant_code=LAIZHOU, org_code=org, roles=list(roles), password=password, **extra)
            created.append((username, password, roles))
        if created:
            self.stdout.write("demo logins (shown once; change them with `bangfu changepassword NAME`):")
            for username, password, roles in created:
                self.stdout.write(f"  {username:<9} {password:<14} {', '.join(roles)}")

    def run(self, host: str, port: int) -> None:
        py = sys.executable
        env = dict(os.environ, BANGFU_DATA_DIR=str(settings.DATA_DIR))
        processes = {
            "web": [py, "-m", "gunicorn", "backend.bangfu.wsgi", "-b", f"{host}:{port}", "-w", "2", "--access-logfile", "-"],
            "worker": [py, "-m", "celery", "-A", "workers.app", "worker", "-Q", "default,engine,notifications,documents",
                       "-c", "2", "-l", "info", "-n", "demo@%h"],
            "beat": [py, "-m", "celery", "-A", "workers.app", "beat", "-l", "info",
                     "--pidfile=", "--schedule", str(settings.DATA_DIR / "beat-schedule")],
        }
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in processes.items()}
        self.stdout.write(f"Bangfu is running at http://{host}:{port}/ (API docs at /api/docs/); Ctrl-C stops it.")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping")
                        stopping = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
