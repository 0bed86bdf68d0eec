"""The engine behind `manage.py seed`: realistic users, tags and todos in bulk.

Generating is kept apart from writing. `SeedRows` yields plain row tuples from seeded random
generators, lazily, so memory stays flat however many rows are asked for; the same plan (seed
and day) gives the same rows. A writer puts them in the database: `CopyWriter` streams them
with PostgreSQL's COPY, `BulkCreateWriter` uses `bulk_create` elsewhere (SQLite). `seed()`
cuts the stream into batches, each written in its own transaction. On PostgreSQL the todo
batches go to a few threads, each with its own connection: one server process ingests (indexes,
foreign key checks) at about a core's speed, so two of them roughly halve the todos' time.

Primary keys are reserved up front, one block per table, so the rows number themselves: a
todo knows its owner's id and the ids of the owner's tags by arithmetic, with nothing read back.
"""

import datetime
import functools
import itertools
import queue
import random
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.crypto import RANDOM_STRING_CHARS
from faker import Faker

from todos.models import TITLE_MAX_LENGTH, Priority, Tag, Todo
from users.models import User

# Every seeded account logs in with this password (documented in the README).
SEED_PASSWORD = "seeded-todos-2026"
EMAIL_DOMAIN = "example.com"

DAY = 86_400
# Todos are created over the year before the seed's day, users joined before their first todo.
TODO_AGE_SECONDS = (3_600, 365 * DAY)
JOINED_AGE_SECONDS = (400 * DAY, 800 * DAY)
DONE_SHARE = 1 / 3
# A done todo was completed between a minute and a month after it was created.
COMPLETION_DELAY_SECONDS = (60, 30 * DAY)
DUE_DATE_SHARE = 0.7
DUE_DAYS_AROUND_TODAY = (-30, 60)
# Shares of the draws: a quarter of the todos low priority, a fifth high, the rest normal.
LOW_PRIORITY_BELOW, NORMAL_PRIORITY_BELOW = 0.25, 0.80
# Shares of todos with no tag, one, two, three: half the todos have a tag.
NO_TAG_BELOW, ONE_TAG_BELOW, TWO_TAGS_BELOW = 0.50, 0.80, 0.95
# With --todos, each user's share follows a Pareto law whose shape gives the 80/20 rule.
PARETO_SHAPE = 1.161

TAG_NAMES = (
    "work", "home", "errands", "health", "finance", "family", "travel", "garden", "shopping",
    "reading", "urgent", "someday", "school", "car", "kids", "fitness", "music", "cooking",
    "admin", "friends", "bills", "house", "projects", "ideas", "calls", "weekend", "pets",
    "books", "learning", "taxes",
)  # fmt: skip
TITLE_TEMPLATES = (
    "Call {{first_name}}",
    "Email {{first_name}} about the {{word}}",
    "Buy {{word}} and {{word}}",
    "Pay the {{company}} invoice",
    "Book the trip to {{city}}",
    "Fix the {{word}}",
    "Return {{first_name}}'s {{word}}",
    "Renew the {{word}} subscription",
    "Prepare the {{word}} presentation for {{company}}",
    "Meet {{first_name}} {{last_name}} in {{city}}",
    "Order a new {{word}}",
    "Plan {{first_name}}'s birthday",
    "Write the {{word}} report",
    "Ask {{first_name}} for the {{word}} {{word}}",
)
POOL_SIZES = {"names": 300, "cities": 200, "titles": 4_000, "descriptions": 1_500, "tags": 100}


@dataclass(frozen=True)
class Table:
    """One model as the seed writes it: the fields of its rows, in row order."""

    label: str
    model: type
    fields: tuple[str, ...]

    @property
    def db_table(self):
        return self.model._meta.db_table

    @property
    def columns(self):
        return [self.model._meta.get_field(name).column for name in self.fields]


USERS = Table(
    "users",
    User,
    (
        "id", "password", "username", "first_name", "last_name", "email", "age", "city",
        "preferences", "date_joined", "is_active", "is_staff", "is_superuser",
    ),
)  # fmt: skip
TAGS = Table("tags", Tag, ("id", "owner_id", "name"))
TODOS = Table(
    "todos",
    Todo,
    (
        "id", "owner_id", "title", "description", "done", "completed_at", "due_date",
        "priority", "created_at", "updated_at", "version",
    ),
)  # fmt: skip
TODO_TAGS = Table("todo tags", Todo.tags.through, ("todo_id", "tag_id"))
TABLES = (USERS, TAGS, TODOS, TODO_TAGS)
# Where bulk_create overwrites what the rows say (auto_now), this puts the rows' value back.
TODO_UPDATED_AT = Coalesce("completed_at", "created_at")


@dataclass(frozen=True, kw_only=True)
class SeedPlan:
    """What to seed. Either every user gets `todos_per_user`, or `todos` is spread unevenly."""

    users: int
    tags_per_user: int
    seed: int
    as_of: datetime.date
    todos_per_user: int | None = None
    todos: int | None = None
    heavy_user: str | None = None
    heavy_user_todos: int = 0

    @property
    def owners(self):
        """Users seeded, the heavy user included."""
        return self.users + (1 if self.heavy_user else 0)

    @property
    def total_todos(self):
        spread = self.todos if self.todos is not None else self.users * (self.todos_per_user or 0)
        return spread + self.heavy_user_todos


@dataclass(frozen=True)
class Pools:
    """Faker values made once per run; rows draw from these instead of calling Faker per row."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    cities: tuple[str, ...]
    titles: tuple[str, ...]
    descriptions: tuple[str, ...]
    tag_names: tuple[str, ...]

    @classmethod
    @functools.lru_cache(maxsize=4)
    def build(cls, seed):
        """The pools of `seed`, made once per process (Faker takes a good fraction of a second)."""
        fake = Faker("en_US")
        fake.seed_instance(seed)
        return cls(
            first_names=unique(fake.first_name, POOL_SIZES["names"]),
            last_names=unique(fake.last_name, POOL_SIZES["names"]),
            cities=unique(fake.city, POOL_SIZES["cities"]),
            titles=tuple(make_title(fake) for _ in range(POOL_SIZES["titles"])),
            descriptions=tuple(make_description(fake) for _ in range(POOL_SIZES["descriptions"])),
            tag_names=TAG_NAMES + unique(tag_word(fake), POOL_SIZES["tags"], exclude=TAG_NAMES),
        )


def unique(make, count, exclude=()):
    """Up to `count` distinct values of `make()`, in the order first made (so seeded)."""
    values = dict.fromkeys(make() for _ in range(count * 3))
    return tuple(value for value in values if value not in exclude)[:count]


def tag_word(fake):
    """Makes Faker words long enough to name a tag."""

    def make():
        while len(word := fake.word()) < 3:
            pass
        return word

    return make


def make_title(fake):
    """A todo title: a task from a template, a sentence of a few words, or a long one."""
    kind = fake.random.random()
    if kind < 0.45:
        return fake.parse(fake.random.choice(TITLE_TEMPLATES))
    if kind < 0.97:
        return fake.sentence(nb_words=fake.random.randint(2, 9)).rstrip(".")
    return shorten(" ".join(fake.sentences(nb=8)), TITLE_MAX_LENGTH)


def make_description(fake):
    """Empty for a third of the todos, else one short paragraph or several long ones."""
    kind = fake.random.random()
    if kind < 0.35:
        return ""
    if kind < 0.85:
        return fake.paragraph(nb_sentences=fake.random.randint(1, 4))
    return "\n\n".join(fake.paragraphs(nb=fake.random.randint(2, 5)))


def shorten(text, limit):
    """`text` cut at the last word that fits in `limit` characters."""
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,.;")


def slug(name):
    return re.sub(r"[^a-z]", "", name.lower())


def seeded_password_hash(seed):
    """The seed password, hashed once per run and shared by every seeded account.

    The salt comes from the seed so that the same seed writes byte-for-byte the same rows; the
    accounts share a documented password anyway, so a random salt would protect nothing.
    """
    rng = random.Random(f"{seed}:salt")
    salt = "".join(rng.choice(RANDOM_STRING_CHARS) for _ in range(22))
    return make_password(SEED_PASSWORD, salt=salt)


class SeedRows:
    """Every row the plan asks for, generated lazily; the same plan always gives the same rows.

    Each stream has its own random generator, so changing how todos are made leaves the users
    as they were.
    """

    def __init__(self, plan, pools, *, password_hash):
        self.plan = plan
        self.pools = pools
        self.password_hash = password_hash
        # Everything happens before midnight at the start of the plan's day.
        self.anchor = datetime.datetime.combine(plan.as_of, datetime.time(), datetime.UTC)

    def users(self, *, first_user_id, first_tag_id):
        """(user row, [tag rows]) for every user, the heavy user last."""
        rng = random.Random(f"{self.plan.seed}:users")
        for index in range(self.plan.owners):
            first_name = rng.choice(self.pools.first_names)
            last_name = rng.choice(self.pools.last_names)
            if index < self.plan.users:
                username = f"{slug(first_name)}.{slug(last_name)}{index + 1}"
            else:
                username = self.plan.heavy_user
            user_id = first_user_id + index
            joined = self.anchor - datetime.timedelta(seconds=rng.randint(*JOINED_AGE_SECONDS))
            user = (
                user_id,
                self.password_hash,
                username,
                first_name,
                last_name,
                f"{username}@{EMAIL_DOMAIN}",
                None if rng.random() < 0.1 else rng.randint(16, 90),
                "" if rng.random() < 0.1 else rng.choice(self.pools.cities),
                {},
                joined,
                True,
                False,
                False,
            )
            tags = [
                (first_tag_id + index * self.plan.tags_per_user + position, user_id, name)
                for position, name in enumerate(self.tag_names(rng))
            ]
            yield user, tags

    def tag_names(self, rng):
        """`tags_per_user` distinct names: common ones first, then Faker words, then `work-2`."""
        pool, wanted = self.pools.tag_names, self.plan.tags_per_user
        common = len(TAG_NAMES)
        picks = rng.sample(range(common), min(wanted, common)) + list(range(common, wanted))
        return [
            pool[pick % len(pool)] + (f"-{pick // len(pool) + 1}" if pick >= len(pool) else "")
            for pick in picks
        ]

    def usernames(self):
        """The username and email of every user, in the order `users()` makes them."""
        for user, _ in self.users(first_user_id=0, first_tag_id=0):
            yield user[2], user[5]

    def todo_counts(self):
        """How many todos each user gets, in user order, the heavy user last."""
        plan = self.plan
        if plan.todos is None:
            yield from itertools.repeat(plan.todos_per_user or 0, plan.users)
        else:
            yield from spread(plan.todos, plan.users, seed=plan.seed)
        if plan.heavy_user:
            yield plan.heavy_user_todos

    def todos(self, *, first_todo_id, first_user_id, first_tag_id):
        """(todo row, [tag ids]) for every todo, owner by owner.

        This loop makes every todo of the biggest runs, so it binds what it uses to locals and
        draws with `random()` rather than the slower `randint()` and `choice()`.
        """
        rand = random.Random(f"{self.plan.seed}:todos").random
        titles, descriptions = self.pools.titles, self.pools.descriptions
        n_titles, n_descriptions = len(titles), len(descriptions)
        tags_per_user = self.plan.tags_per_user
        anchor, today = self.anchor, self.plan.as_of
        timedelta = datetime.timedelta
        min_age, max_age = TODO_AGE_SECONDS
        min_delay, max_delay = COMPLETION_DELAY_SECONDS
        first_due, last_due = DUE_DAYS_AROUND_TODAY
        todo_id = first_todo_id
        for owner_index, count in enumerate(self.todo_counts()):
            owner_id = first_user_id + owner_index
            owner_first_tag = first_tag_id + owner_index * tags_per_user
            # A user's todos come oldest first, so that ids grow with time as in real life:
            # `fraction` is the largest of `left` uniform draws below the previous one, which
            # sorts the draws without holding them.
            fraction = 1.0
            for left in range(count, 0, -1):
                fraction *= rand() ** (1 / left)
                age = min_age + int(fraction * (max_age - min_age))
                created_at = anchor - timedelta(seconds=age)
                if rand() < DONE_SHARE:
                    delay = min_delay + int(rand() * (min(age, max_delay) - min_delay))
                    done, completed_at, version = True, created_at + timedelta(seconds=delay), 2
                else:
                    done, completed_at, version = False, None, 1
                due_date = None
                if rand() < DUE_DATE_SHARE:
                    due = today + timedelta(days=first_due + int(rand() * (last_due - first_due)))
                    due_date = max(due, created_at.date())
                row = (
                    todo_id,
                    owner_id,
                    titles[int(rand() * n_titles)],
                    descriptions[int(rand() * n_descriptions)],
                    done,
                    completed_at,
                    due_date,
                    priority(rand()),
                    created_at,
                    completed_at or created_at,
                    version,
                )
                draw = rand()
                if draw < NO_TAG_BELOW or not tags_per_user:
                    yield row, ()
                else:
                    tag_count = 1 if draw < ONE_TAG_BELOW else 2 if draw < TWO_TAGS_BELOW else 3
                    yield row, tag_ids(rand, owner_first_tag, tags_per_user, tag_count)
                todo_id += 1


def priority(draw):
    if draw < LOW_PRIORITY_BELOW:
        return Priority.LOW.value
    return Priority.NORMAL.value if draw < NORMAL_PRIORITY_BELOW else Priority.HIGH.value


def tag_ids(rand, first_tag_id, tags_per_user, count):
    """`count` distinct tags of one user (fewer if they have fewer); the first are popular."""
    count = min(count, tags_per_user)
    picked = []
    while len(picked) < count:
        tag_id = first_tag_id + int(rand() ** 2 * tags_per_user)
        if tag_id not in picked:
            picked.append(tag_id)
    return picked


def spread(total, parts, *, seed):
    """Split `total` into `parts` counts, unevenly as real data is (a Pareto law), lazily.

    Two passes over the same seeded weights (one to sum them, one to hand out the counts) keep
    memory flat; rounding the running total makes the counts add up to exactly `total`.
    """

    def weights():
        rng = random.Random(f"{seed}:spread")
        return (rng.paretovariate(PARETO_SHAPE) for _ in range(parts))

    weight_sum = sum(weights())
    running_weight, given = 0.0, 0
    for index, weight in enumerate(weights()):
        running_weight += weight
        upto = total if index == parts - 1 else round(total * running_weight / weight_sum)
        yield upto - given
        given = upto


class BulkCreateWriter:
    """Writes rows with `bulk_create` (SQLite, or any database without COPY)."""

    def __init__(self, connection):
        self.connection = connection

    def batch(self):
        """The transaction of one batch."""
        return transaction.atomic(using=self.connection.alias)

    def reserve_ids(self, model, count):
        """The first of `count` primary keys after every key in use."""
        if self.connection.vendor == "sqlite":
            return self.reserve_sqlite_ids(model, count)
        highest = model._base_manager.using(self.connection.alias).aggregate(Max("pk"))
        return (highest["pk__max"] or 0) + 1

    def reserve_sqlite_ids(self, model, count):
        """As `CopyWriter.reserve_ids` does with PostgreSQL's sequence, with SQLite's: the
        AUTOINCREMENT counter (sqlite_sequence) moves past the block in one UPDATE, so that a
        row the app inserts meanwhile gets a key after it, not one inside. It also starts after
        every key handed out before, as AUTOINCREMENT never reuses the key of a deleted row.
        """
        table = model._meta.db_table
        pk = self.connection.ops.quote_name(model._meta.pk.column)
        quoted_table = self.connection.ops.quote_name(table)
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, table],
            )
            # One statement reads the highest key and writes the counter: no insert between.
            cursor.execute(
                f"UPDATE sqlite_sequence"
                f" SET seq = MAX(seq, (SELECT COALESCE(MAX({pk}), 0) FROM {quoted_table})) + %s"
                f" WHERE name = %s",
                [count, table],
            )
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            (last,) = cursor.fetchone()
        return last - count + 1

    def insert(self, table, rows):
        objs = [table.model(**dict(zip(table.fields, row, strict=True))) for row in rows]
        manager = table.model._base_manager.using(self.connection.alias)
        manager.bulk_create(objs)
        if table is TODOS and objs:
            # bulk_create stamps auto_now fields with the time of writing: restore the history.
            manager.filter(pk__range=(objs[0].pk, objs[-1].pk)).update(updated_at=TODO_UPDATED_AT)
        return len(objs)


class CopyWriter:
    """Streams rows into PostgreSQL with COPY FROM STDIN (psycopg 3), in binary format.

    COPY skips the per-statement parsing, planning and parameter limits of INSERT, and the
    binary format spares the server parsing text back into numbers and timestamps. Rows are
    sent while they are generated, so Python and the server work at the same time.
    """

    def __init__(self, connection):
        self.connection = connection
        self.column_types = {}

    @contextmanager
    def batch(self):
        """The transaction of one batch, committed without waiting for the disk.

        synchronous_commit=off makes a crash lose at worst the last batches committed, never
        part of one (the write-ahead log still orders everything); on this machine's disk the
        wait for each commit's flush cost a third of the run.
        """
        with transaction.atomic(using=self.connection.alias):
            with self.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield

    def reserve_ids(self, model, count):
        """The first of `count` consecutive primary keys that nobody else will be given.

        One statement moves the sequence past the whole block, where `nextval()` per row would
        cost a call per row and need the ids read back. The SHARE ROW EXCLUSIVE lock waits for
        and then blocks concurrent INSERTs (whose defaults call `nextval()`), so no other row
        lands inside the block; it is held only for this short transaction. GREATEST() also
        steps over rows that were inserted with explicit keys without moving the sequence.
        """
        table = self.connection.ops.quote_name(model._meta.db_table)
        pk = self.connection.ops.quote_name(model._meta.pk.column)
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%(table)s, %(pk)s),"
                f" GREATEST(nextval(pg_get_serial_sequence(%(table)s, %(pk)s)),"
                f" (SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table})) + %(count)s - 1)",
                {"table": model._meta.db_table, "pk": model._meta.pk.column, "count": count},
            )
            (last,) = cursor.fetchone()
        return last - count + 1

    def insert(self, table, rows):
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(column) for column in table.columns)
        written = 0
        with self.connection.cursor() as cursor:
            types = self.types_of(cursor, table, columns)
            statement = f"COPY {quote(table.db_table)} ({columns}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(statement) as copy:
                copy.set_types(types)
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
                    written += 1
        return written

    def types_of(self, cursor, table, columns):
        """The columns' type oids, which binary COPY needs to encode values (asked once)."""
        if table not in self.column_types:
            quoted_table = self.connection.ops.quote_name(table.db_table)
            cursor.execute(f"SELECT {columns} FROM {quoted_table} LIMIT 0")
            self.column_types[table] = [column.type_code for column in cursor.description]
        return self.column_types[table]


def writer_for(connection):
    if connection.vendor == "postgresql":
        return CopyWriter(connection)
    return BulkCreateWriter(connection)


def flush(connection):
    """Empty the users, tags and todos tables (and what refers to users); keys restart at 1."""
    tables = [table.db_table for table in TABLES]
    if connection.vendor == "postgresql":
        # Inside a caller's transaction, PostgreSQL refuses to TRUNCATE tables whose deferred
        # foreign key checks are pending: run those checks now.
        connection.check_constraints()
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)


def generated_heavy_user(rows):
    """The heavy user's name if one of the generated users has it too (ignoring case), or None.

    Known from the plan alone, so it is checked before anything is deleted or written.
    """
    plan = rows.plan
    if plan.heavy_user is None:
        return None
    heavy_user = plan.heavy_user.lower()
    generated = itertools.islice(rows.usernames(), plan.users)
    return plan.heavy_user if any(name.lower() == heavy_user for name, _ in generated) else None


def first_taken_username(rows, connection, chunk_size=500):
    """A username of `rows` (or the email that goes with it) already in the database, or None.

    Ignores letter case as the unique indexes do, with the database's LOWER(): Python's lower()
    folds some letters otherwise ("ALİCE" is not "alice" to Python, but is to PostgreSQL).
    """
    users = User._base_manager.using(connection.alias)
    if not users.exists():
        return None
    names = iter(rows.usernames())
    while chunk := list(itertools.islice(names, chunk_size)):
        taken = (
            users.annotate(username_lower=Lower("username"), email_lower=Lower("email"))
            .filter(
                Q(username_lower__in=[Lower(Value(username)) for username, _ in chunk])
                | Q(email_lower__in=[Lower(Value(email)) for _, email in chunk])
            )
            .values_list("username", flat=True)
            .first()
        )
        if taken:
            return taken
    return None


def seed_rows(plan):
    """The rows `plan` asks for, ready to check (`first_taken_username`) and to `seed()`."""
    return SeedRows(plan, Pools.build(plan.seed), password_hash=seeded_password_hash(plan.seed))


def seed(rows, *, connection, batch_size, on_batch=None, workers=1):
    """Write `rows` in batches, each in its own transaction; return the rows written per table.

    `on_batch(counts)` hears after each committed batch. An interruption (an error, Ctrl-C)
    rolls back the batch in progress only: what was committed before is whole, every todo
    with its tags. With `workers` > 1 (PostgreSQL), that many threads write the todo batches,
    each on its own connection; batches already handed to them are finished on an interruption.
    """
    plan = rows.plan
    writer = writer_for(connection)

    def reserve(model, count):
        return writer.reserve_ids(model, count) if count else 1

    ids = {
        "first_user_id": reserve(User, plan.owners),
        "first_tag_id": reserve(Tag, plan.owners * plan.tags_per_user),
    }
    first_todo_id = reserve(Todo, plan.total_todos)
    counts = dict.fromkeys((table.label for table in TABLES), 0)

    def committed(written):
        for table, count in written.items():
            counts[table.label] += count
        if on_batch:
            on_batch(counts)

    users_per_batch = max(1, batch_size // (1 + plan.tags_per_user))
    for batch in batches(rows.users(**ids), users_per_batch):
        with writer.batch():
            users = writer.insert(USERS, (user for user, _ in batch))
            tags = writer.insert(TAGS, itertools.chain.from_iterable(tags for _, tags in batch))
        committed({USERS: users, TAGS: tags})

    todos = rows.todos(first_todo_id=first_todo_id, **ids)
    workers = usable_workers(connection, workers)
    if workers > 1:
        write_in_threads(
            batches(todos, batch_size), alias=connection.alias, workers=workers, then=committed
        )
    else:
        for batch in batches(todos, batch_size, lazy=True):
            committed(write_todo_batch(writer, batch))
    return counts


def usable_workers(connection, workers):
    """How many connections may write todos at once: 1 unless PostgreSQL and outside a transaction.

    Other connections cannot write inside the caller's transaction (a test's, or an outer
    atomic block): there the seed keeps to the caller's connection.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, workers)


def write_todo_batch(writer, batch):
    """One batch of todos and their tag links, in one transaction; the rows written per table."""
    links = []
    with writer.batch():
        written = writer.insert(TODOS, noting_links(batch, links))
        linked = writer.insert(TODO_TAGS, links)
    return {TODOS: written, TODO_TAGS: linked}


def write_in_threads(todo_batches, *, alias, workers, then):
    """Write `todo_batches` from `workers` threads, each on its own connection to `alias`.

    This thread keeps generating while they write; `then(written)` runs here, in this thread,
    after each committed batch. The queue holds one batch per worker, so memory stays flat. On
    an error or an interruption no new batch is handed out; the workers finish the ones they
    were given (each commits whole or not at all) and the first error is raised here.
    """
    jobs = queue.Queue(maxsize=workers)
    results = queue.SimpleQueue()

    def work():
        writer = writer_for(connections[alias])
        try:
            while (batch := jobs.get()) is not None:
                try:
                    results.put(write_todo_batch(writer, batch))
                except BaseException as error:  # handed to the main thread, raised there
                    results.put(error)
        finally:
            connections[alias].close()

    def report_results(raise_errors=True):
        while not results.empty():
            result = results.get()
            if not isinstance(result, BaseException):
                then(result)
            elif raise_errors:
                raise result

    def finish_workers():
        for _ in threads:
            jobs.put(None)
        for thread in threads:
            thread.join()

    threads = [threading.Thread(target=work, name=f"seed-writer-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for batch in todo_batches:
            jobs.put(batch)  # waits while every worker is busy and the queue is full
            report_results()
    except BaseException:
        finish_workers()
        report_results(raise_errors=False)
        raise
    finish_workers()
    report_results()


def noting_links(batch, links):
    """The todo rows of `batch`; their (todo id, tag id) pairs go to `links` on the way."""
    for row, tags in batch:
        yield row
        links.extend((row[0], tag_id) for tag_id in tags)


def batches(iterable, size, *, lazy=False):
    """Consecutive batches of `size`, as lists, or (lazy) as iterators to consume in order."""
    iterator = iter(iterable)
    for first in iterator:
        batch = itertools.chain((first,), itertools.islice(iterator, size - 1))
        yield batch if lazy else list(batch)
