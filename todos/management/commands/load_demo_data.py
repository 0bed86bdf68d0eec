from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

DEMO_FIXTURES = ("demo_users", "demo_todos")


class Command(BaseCommand):
    help = "Load the demo fixtures, but only into a database that has no users yet."

    def handle(self, *args, **options):
        if get_user_model().objects.exists():
            self.stdout.write("The database already has users: demo data not loaded.")
            return
        call_command("loaddata", *DEMO_FIXTURES, verbosity=options["verbosity"])
