from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from .load_demo_data import DEMO_FIXTURES


class Command(BaseCommand):
    help = "Empty the local database, apply every migration and load the demo fixtures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask to confirm."
        )

    def handle(self, *args, interactive, verbosity, **options):
        if not settings.DEBUG:
            raise CommandError("reset_local_data only runs with DEBUG on (local settings).")
        if interactive:
            answer = input("This deletes every row in the local database. Type 'yes' to go on: ")
            if answer != "yes":
                raise CommandError("Reset cancelled.")
        call_command("migrate", interactive=False, verbosity=verbosity)
        call_command("flush", interactive=False, verbosity=verbosity)
        call_command("loaddata", *DEMO_FIXTURES, verbosity=verbosity)
