import argparse
import datetime
import random
import re
import time
from contextlib import suppress

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone

from todos import seeding
from todos.management.confirm import confirmed
from users.models import User

DEFAULTS = {
    "users": 100,
    "todos_per_user": 20,
    "tags_per_user": 8,
    "batch_size": 5_000,
    "workers": 2,
}
HEAVY_USER_TODOS = 10_000
# Seeded dates reach three years before --as-of, and near year 1 would fall off the calendar;
# the Unix epoch is a floor no realistic data goes below.
AS_OF_MIN = datetime.date(1970, 1, 1)
# Rows of one table in one run: a billion is hours of writing and hundreds of GB, far past any
# use here, and far short of where the keys (2**63) run out.
ROWS_MAX = 10**9
# One user's tags are built and written together, so their number bounds the memory a batch
# takes (about 150 bytes a tag); the tag menu lists them all, too.
TAGS_PER_USER_MAX = 10_000
# Each worker holds a database connection: PostgreSQL allows 100 by default, and past the
# machine's cores more workers only wait.
WORKERS_MAX = 16


def iso_date(value):
    # Exactly this form: date.fromisoformat also takes 20260101 and week dates (2026-W01-1).
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with suppress(ValueError):  # 2026-02-30
            return datetime.date.fromisoformat(value)
    raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}")


class Command(BaseCommand):
    """`manage.py seed`: realistic data at scale for development and benchmarks."""

    help = (
        "Fill the database with realistic users, tags and todos, fast: batches of COPY on "
        "PostgreSQL, bulk_create on SQLite, each batch in its own transaction. The same --seed "
        "and --as-of give the same rows. Seeded accounts log in with the password "
        f"{seeding.SEED_PASSWORD!r}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            metavar="N",
            type=int,
            default=DEFAULTS["users"],
            help="Users to create (default 100).",
        )
        todos = parser.add_mutually_exclusive_group()
        todos.add_argument(
            "--todos-per-user",
            metavar="M",
            type=int,
            help=f"Todos for every user (default {DEFAULTS['todos_per_user']}).",
        )
        todos.add_argument(
            "--todos",
            metavar="T",
            type=int,
            help="Todos in total, spread unevenly over the users: a few own many, most own few.",
        )
        parser.add_argument(
            "--tags-per-user",
            metavar="K",
            type=int,
            default=DEFAULTS["tags_per_user"],
            help=f"Tags each user owns (default {DEFAULTS['tags_per_user']}, at most "
            f"{TAGS_PER_USER_MAX:,}).",
        )
        parser.add_argument(
            "--seed",
            metavar="S",
            type=int,
            help="Seed of the random data (default: a random one, printed).",
        )
        parser.add_argument(
            "--as-of",
            metavar="DATE",
            type=iso_date,
            help="The day the data is built around, YYYY-MM-DD (default today): todos were "
            "created in the year before it, due dates fall around it.",
        )
        parser.add_argument(
            "--heavy-user",
            metavar="USERNAME",
            help="Also create this user owning --heavy-user-todos todos (for benchmarks).",
        )
        parser.add_argument(
            "--heavy-user-todos",
            metavar="N",
            type=int,
            help=f"Todos of the --heavy-user (default {HEAVY_USER_TODOS}).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Empty the users, tags and todos tables first (asks to confirm).",
        )
        parser.add_argument(
            "--batch-size",
            metavar="B",
            type=int,
            default=DEFAULTS["batch_size"],
            help=f"Rows per transaction (default {DEFAULTS['batch_size']}).",
        )
        parser.add_argument(
            "--workers",
            metavar="W",
            type=int,
            default=DEFAULTS["workers"],
            help="Connections writing todos at once on PostgreSQL (default "
            f"{DEFAULTS['workers']}, at most {WORKERS_MAX}); 1 writes everything through one "
            "connection.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask to confirm --flush.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=list(connections),
            help="The database to seed (default: default).",
        )

    def handle(self, *args, **options):
        plan = self.plan_from(options)
        progress = Progress(self.stdout, plan, verbosity=options["verbosity"])
        batch_size = options["batch_size"]
        if batch_size is None or batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, got {batch_size}.")
        workers = options["workers"]
        if workers is None or not 1 <= workers <= WORKERS_MAX:
            raise CommandError(f"--workers must be from 1 to {WORKERS_MAX}, got {workers}.")
        connection = connections[options["database"]]
        rows = seeding.seed_rows(plan)
        if heavy_user := seeding.generated_heavy_user(rows):
            raise CommandError(
                f"--heavy-user {heavy_user!r} is also the name of a generated user: pass another "
                "--heavy-user or --seed."
            )

        flushed = False
        try:
            # Ctrl-C in the flush (one transaction) or before the first batch is the same
            # clean interruption as between batches (at the prompt it is a no: `confirmed`).
            if options["flush"]:
                self.confirm_flush(options["interactive"])
                seeding.flush(connection)
                flushed = True
            elif taken := seeding.first_taken_username(rows, connection):
                raise CommandError(
                    f"A user {taken!r} already exists (or has that email): pass --flush to "
                    "start from empty tables, or another --seed or --heavy-user."
                )
            counts = seeding.seed(
                rows,
                connection=connection,
                batch_size=batch_size,
                on_batch=progress.update,
                workers=workers,
            )
        except KeyboardInterrupt:
            progress.finish()
            raise CommandError(
                f"Interrupted: {self.what_was_written(progress, flushed)}.", returncode=130
            ) from None
        except DatabaseError as error:  # the server gone, out of connections or of disk
            progress.finish()
            raise CommandError(
                f"The database stopped the seed ({str(error).strip()}): "
                f"{self.what_was_written(progress, flushed)}."
            ) from error
        progress.finish()
        if options["verbosity"] >= 1:
            self.write_summary(plan, counts, progress.elapsed())

    def plan_from(self, options):
        """The validated plan; any bad option raises CommandError before anything is written."""
        todos, todos_per_user = options["todos"], options["todos_per_user"]
        if todos is not None and todos_per_user is not None:
            raise CommandError("Pass --todos or --todos-per-user, not both.")
        if todos is None and todos_per_user is None:
            todos_per_user = DEFAULTS["todos_per_user"]
        counts = {
            "--users": options["users"],
            "--todos": todos,
            "--todos-per-user": todos_per_user,
            "--tags-per-user": options["tags_per_user"],
            "--heavy-user-todos": options["heavy_user_todos"],
        }
        for name, value in counts.items():
            if value is not None and value < 0:
                raise CommandError(f"{name} must be 0 or more, got {value}.")
        if options["tags_per_user"] > TAGS_PER_USER_MAX:
            raise CommandError(
                f"--tags-per-user must be at most {TAGS_PER_USER_MAX:,}, "
                f"got {options['tags_per_user']:,}."
            )

        heavy_user, heavy_user_todos = options["heavy_user"], options["heavy_user_todos"]
        if heavy_user is None and heavy_user_todos is not None:
            raise CommandError("--heavy-user-todos needs --heavy-user USERNAME.")
        if heavy_user is not None:
            self.check_username(heavy_user)
            heavy_user_todos = HEAVY_USER_TODOS if heavy_user_todos is None else heavy_user_todos
        if todos and not options["users"]:
            raise CommandError("--todos needs at least one user to spread them over (--users).")

        as_of = options["as_of"] or timezone.localdate()
        if as_of > timezone.localdate():
            raise CommandError(f"--as-of cannot be in the future, got {as_of}.")
        if as_of < AS_OF_MIN:
            raise CommandError(f"--as-of must be {AS_OF_MIN} or later, got {as_of}.")
        seed = options["seed"]
        plan = seeding.SeedPlan(
            users=options["users"],
            todos=todos,
            todos_per_user=todos_per_user,
            tags_per_user=options["tags_per_user"],
            seed=random.randrange(2**31) if seed is None else seed,
            as_of=as_of,
            heavy_user=heavy_user,
            heavy_user_todos=heavy_user_todos or 0,
        )
        rows = {
            "users": plan.owners,
            "tags": plan.owners * plan.tags_per_user,
            "todos": plan.total_todos,
        }
        for table, count in rows.items():
            # Past this the keys (bigint) run out, after --flush had emptied the tables.
            if count > ROWS_MAX:
                raise CommandError(f"That makes {count:,} {table}: at most {ROWS_MAX:,} a run.")
        return plan

    def check_username(self, username):
        field = User._meta.get_field("username")
        if len(username) > field.max_length:
            raise CommandError(f"--heavy-user is longer than {field.max_length} characters.")
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as error:
            raise CommandError(f"--heavy-user {username!r}: {error.messages[0]}") from None
        if "@" in username:  # allowed in usernames, not before the seeded email's own "@"
            raise CommandError(f"--heavy-user {username!r}: no @, its email is <name>@example.com.")
        email = f"{username}@{seeding.EMAIL_DOMAIN}"
        try:
            # ASCII too: Django's email check lets "İ" through, which the profile form's does
            # not, and which PostgreSQL's LOWER() folds to "i" where Python's lower() does not.
            if not username.isascii():
                raise ValidationError("not ASCII")
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"--heavy-user {username!r}: its email {email} would not be a valid address "
                "(ASCII letters, digits and . _ + -, no dot first or last)."
            ) from None

    @staticmethod
    def what_was_written(progress, flushed):
        emptied = "the tables were emptied (--flush), then " if flushed else ""
        committed = format_counts(progress.counts) or "nothing"
        return f"{emptied}every batch was committed whole or not at all; committed: {committed}"

    def confirm_flush(self, interactive):
        if not interactive:
            return
        if not confirmed("--flush deletes every user, tag and todo in the database."):
            raise CommandError("Seeding cancelled: nothing was deleted or written.")

    def write_summary(self, plan, counts, seconds):
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {total:,} rows in {seconds:.1f} s ({total / max(seconds, 1e-9):,.0f} "
                f"rows/s) with --seed {plan.seed} --as-of {plan.as_of}:"
            )
        )
        for label, count in counts.items():
            self.stdout.write(f"  {label:<10} {count:>12,}")
        if plan.heavy_user:
            self.stdout.write(f"The heavy user {plan.heavy_user!r} owns {plan.heavy_user_todos:,}.")
        self.stdout.write(f"Seeded accounts log in with the password {seeding.SEED_PASSWORD!r}.")


def format_counts(counts):
    return ", ".join(f"{count:,} {label}" for label, count in counts.items())


class Progress:
    """Counts with a rate while seeding: one line redrawn on a terminal, else a line a while."""

    TERMINAL_INTERVAL = 0.25
    LOG_INTERVAL = 5.0

    def __init__(self, stdout, plan, *, verbosity, clock=time.monotonic):
        self.stdout = stdout
        self.plan = plan
        self.clock = clock
        self.started = self.last_shown = clock()
        self.live = stdout.isatty()
        self.enabled = verbosity >= 1
        self.interval = self.TERMINAL_INTERVAL if self.live else self.LOG_INTERVAL
        self.counts = {}
        self.drawn = False

    def elapsed(self):
        return self.clock() - self.started

    def update(self, counts):
        self.counts = dict(counts)
        now = self.clock()
        if not self.enabled or now - self.last_shown < self.interval:
            return
        self.last_shown = now
        line = self.line(now - self.started)
        if self.live:
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
            self.drawn = True
        else:
            self.stdout.write(line)

    def line(self, seconds):
        rows = sum(self.counts.values())
        users, todos = self.counts["users"], self.counts["todos"]
        done = todos / self.plan.total_todos if self.plan.total_todos else 1
        return (
            f"{users:,}/{self.plan.owners:,} users, {todos:,}/{self.plan.total_todos:,} todos "
            f"({done:.0%}), {rows:,} rows in {seconds:.1f} s, {rows / seconds:,.0f} rows/s"
        )

    def finish(self):
        if self.drawn:
            self.stdout.write("")
