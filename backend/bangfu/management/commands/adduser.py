from django.core.management.base import BaseCommand, CommandError

from backend.bangfu.accounts import add_user
from backend.tenancy.roles import Role


class Command(BaseCommand):
    help = "Create a login: bangfu adduser NAME --tenant 370683 --org ORG --role ROLE --password P"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--tenant", required=True, help="tenant division code, e.g. 370683")
        parser.add_argument("--org", required=True, help="organisation code: city-office, a town code, a unit code")
        parser.add_argument("--role", action="append", required=True, choices=Role.values,
                            help="repeat for several roles")
        parser.add_argument("--password", required=True)
        parser.add_argument("--person", type=int, help="id of the cadre this login is (helpers)")
        parser.add_argument("--reveal", action="store_true", help="may view unmasked ID numbers and phones (logged)")
        parser.add_argument("--full-name", default="")

    def handle(self, *args, **o):
        try:
            m = add_user(username=o["username"], tenant_code=o["tenant"], org_code=o["org"], roles=o["role"],
                         password=o["password"], person_id=o["person"], can_reveal=o["reveal"], full_name=o["full_name"])
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"created {m.user.username}: {', '.join(m.roles)} @ {m.organisation.name}")
