"""`bangfu enforce --as-of YYYY-MM-DD [--tenant CODE]`: the deadline engine for a date (SPEC §5, §9).

The same code as the daily beat run; safe to run again or concurrently (nothing is created twice).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from backend.common import clock
from backend.tenancy.models import Tenant
from workflows.engine import runs
from workflows.engine.models import RunTrigger


class Command(BaseCommand):
    help = "Run the deadline engine as of a date: judge due windows and cutoffs, climb the ladder, remind."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                            help="the date to judge as of (default: today in each tenant's time zone)")
        parser.add_argument("--tenant", default=None, metavar="CODE", help="only this tenant (division code)")

    def handle(self, *args, **o):
        tenants = Tenant.objects.order_by("code")
        if o["tenant"]:
            tenants = tenants.filter(code=o["tenant"])
            if not tenants.exists():
                raise CommandError(f"no tenant with code {o['tenant']}")
        for tenant in tenants:
            as_of = o["as_of"] or clock.local_today(tenant.time_zone)
            run = runs.enforce(tenant=tenant, as_of=as_of, trigger=RunTrigger.CLI)
            c = run.counts
            self.stdout.write(
                f"{tenant.code} {tenant.name} as of {as_of}: windows judged {c['windows_judged']}, "
                f"misses {c['misses']}, escalations {c['escalations']}, reminders created {c['reminders']}")
            detail = ", ".join(f"{step} {c[f'misses_{step}']}" for step in runs.MISS_STEPS if f"misses_{step}" in c)
            if detail:
                self.stdout.write(f"  misses by step: {detail}")
