from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command
from django.db import DEFAULT_DB_ALIAS, connections

DEMO_FIXTURES = ("demo_users", "demo_todos")


class Command(BaseCommand):
    help = "Load the demo fixtures, but only into a database that has no users yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=list(connections),
            help="The database to load them into (default: default).",
        )

    def handle(self, *args, database, verbosity, **options):
        if get_user_model().objects.using(database).exists():
            self.stdout.write("The database already has users: demo data not loaded.")
            return
        call_command("loaddata", *DEMO_FIXTURES, verbosity=verbosity, database=database)
