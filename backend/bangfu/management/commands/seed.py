import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from backend.bangfu.seed import LAIZHOU, seed


class Command(BaseCommand):
    help = "Load the demo tenant (莱州市, 370683) or, with --code/--name, a separate tenant from the same generator."

    def add_arguments(self, parser):
        parser.add_argument("which", choices=["laizhou"])
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--code", default=LAIZHOU, help="6-digit county division code")
        parser.add_argument("--name", default="莱州市")
        parser.add_argument("--visits-until", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                            help="also generate demo visits and calls of the pairings up to this date")

    def handle(self, *args, **opts):
        if len(opts["code"]) != 6 or not opts["code"].isdigit():
            raise CommandError("--code must be a 6-digit division code")
        started = time.monotonic()
        try:
            stats = seed(code=opts["code"], name=opts["name"], households=opts["households"], seed=opts["seed"],
                         visits_until=opts["visits_until"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"tenant {opts['code']} {opts['name']}: {stats.towns} towns, {stats.contacts} contacts, "
            f"{stats.villages} villages, {stats.units} units, {stats.people} people, {stats.households} households, "
            f"{stats.members} members, {stats.pairings} pairings, {stats.visits} visits and calls in {time.monotonic() - started:.1f} s"
        )
