from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections

from todos.management.confirm import confirmed

from .load_demo_data import DEMO_FIXTURES


class Command(BaseCommand):
    """`make reset`: the local database as a fresh clone has it."""

    help = (
        "Drop every table of the local database, apply every migration from zero and load the "
        "demo fixtures. Unlike flush, this also undoes a migration you have since edited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask to confirm.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=list(connections),
            help="The database to reset (default: default).",
        )

    def handle(self, *args, interactive, verbosity, database, **options):
        if not settings.DEBUG:
            raise CommandError("reset_local_data only runs with DEBUG on (local settings).")
        if interactive and not confirmed("This drops every table in the local database."):
            raise CommandError("Reset cancelled.")
        self.drop_tables(connections[database], verbosity)
        call_command("migrate", interactive=False, verbosity=verbosity, database=database)
        call_command("loaddata", *DEMO_FIXTURES, verbosity=verbosity, database=database)

    def drop_tables(self, connection, verbosity):
        """Drops every table, django_migrations included, so that migrate starts from zero."""
        tables = connection.introspection.table_names()
        with connection.schema_editor() as editor:
            for table in tables:
                editor.execute(editor.sql_delete_table % {"table": editor.quote_name(table)})
        if verbosity >= 1:
            self.stdout.write(f"Dropped {len(tables)} tables.")
