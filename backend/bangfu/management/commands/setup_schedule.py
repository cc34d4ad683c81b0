"""Write the beat schedule into the database (django-celery-beat), idempotently."""

from django.core.management.base import BaseCommand

from workers.schedule import install


class Command(BaseCommand):
    help = "Install or update the periodic tasks in the database schedule."

    def handle(self, *args, **o):
        names = install()
        self.stdout.write(f"schedule: {', '.join(names)}")
