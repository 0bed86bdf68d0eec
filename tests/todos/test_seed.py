"""The seed command: options, determinism, counts, consistency, bad options, interruption."""

import datetime
import io
import re
import threading

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TodoFactory, UserFactory
from todos import seeding
from todos.management.commands.seed import Command, Progress
from todos.models import TITLE_MAX_LENGTH, Priority, Tag, Todo
from users.models import User

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 3, 1)
# The first user that --seed 1 generates.
GENERATED_USERNAME, _ = next(
    seeding.seed_rows(seeding.SeedPlan(users=2, tags_per_user=0, seed=1, as_of=AS_OF)).usernames()
)
MIDNIGHT = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
TodoTag = Todo.tags.through
MODELS = (User, Tag, Todo, TodoTag)


def seed(*args, **options):
    call_command("seed", *args, **{"seed": 1, "as_of": AS_OF, "verbosity": 0, **options})


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def table_rows():
    """Every column of every row of the four tables, in key order."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in MODELS}


def todos_per_user():
    return sorted(User.objects.annotate(n=Count("todos")).values_list("n", flat=True))


# Options and counts


def test_todos_per_user_gives_every_user_that_many_todos_and_tags():
    seed(users=4, todos_per_user=5, tags_per_user=3)
    assert (counts()["User"], counts()["Tag"], counts()["Todo"]) == (4, 12, 20)
    assert todos_per_user() == [5, 5, 5, 5]
    assert set(User.objects.annotate(n=Count("tags")).values_list("n", flat=True)) == {3}


def plan_from_command_line(*arguments):
    command = Command()
    options = vars(command.create_parser("manage.py", "seed").parse_args(arguments))
    return command.plan_from(options)


def test_defaults_plan_a_small_development_data_set():
    plan = plan_from_command_line()
    assert (plan.users, plan.todos_per_user, plan.tags_per_user) == (100, 20, 8)
    assert plan.total_todos == 2_000
    assert plan.as_of == timezone.localdate()
    assert plan.heavy_user is None


def test_without_a_seed_a_random_one_is_chosen():
    assert len({plan_from_command_line().seed for _ in range(5)}) > 1


def test_heavy_user_gets_ten_thousand_todos_by_default():
    plan = plan_from_command_line("--users", "0", "--heavy-user", "bench")
    assert (plan.owners, plan.total_todos) == (1, 10_000)


def test_todos_total_is_spread_unevenly_over_the_users():
    seed(users=20, todos=1_000)
    per_user = todos_per_user()
    assert sum(per_user) == 1_000
    # A few users own many todos, most own few: the busiest has several times the median.
    assert per_user[-1] > 3 * per_user[len(per_user) // 2]


@pytest.mark.parametrize(("total", "parts"), [(0, 3), (1, 5), (7, 3), (1_000, 1), (12_345, 100)])
def test_spread_hands_out_exactly_the_total(total, parts):
    shares = list(seeding.spread(total, parts, seed=3))
    assert len(shares) == parts
    assert sum(shares) == total
    assert min(shares) >= 0


def test_heavy_user_owns_the_todos_asked_for():
    seed(users=3, todos_per_user=2, heavy_user="bench", heavy_user_todos=40)
    bench = User.objects.get(username="bench")
    assert bench.todos.count() == 40
    assert counts()["Todo"] == 3 * 2 + 40
    assert bench.check_password(seeding.SEED_PASSWORD)


def test_users_get_numbered_tag_names_past_the_pool():
    seed(users=1, todos_per_user=0, tags_per_user=150)
    names = list(Tag.objects.values_list("name", flat=True))
    assert len({name.lower() for name in names}) == 150
    assert any(re.fullmatch(r"[a-z]+-\d+", name) for name in names)
    assert max(len(name) for name in names) <= Tag._meta.get_field("name").max_length


# Determinism


def test_same_seed_writes_the_same_rows_byte_for_byte():
    options = {"users": 6, "todos": 80, "tags_per_user": 3, "flush": True, "interactive": False}
    seed(**options)
    first = table_rows()
    seed(**options)
    assert table_rows() == first
    assert first["Todo_tags"]


def test_another_seed_writes_other_rows():
    options = {"users": 6, "todos": 80, "tags_per_user": 3, "flush": True, "interactive": False}
    seed(seed=1, **options)
    first = (set(User.objects.values_list("username")), list(Todo.objects.values_list("title")))
    seed(seed=2, **options)
    second = (set(User.objects.values_list("username")), list(Todo.objects.values_list("title")))
    assert first[0] != second[0]
    assert first[1] != second[1]


# Consistency


@pytest.fixture
def seeded():
    seed(users=12, todos=600, tags_per_user=4)


@pytest.mark.usefixtures("seeded")
def test_every_todos_tags_belong_to_its_owner():
    assert TodoTag.objects.exists()
    assert not TodoTag.objects.exclude(tag__owner=F("todo__owner")).exists()


@pytest.mark.usefixtures("seeded")
def test_completed_at_is_set_exactly_when_done_and_after_creation():
    assert Todo.objects.filter(done=True).exists()
    assert Todo.objects.filter(done=False).exists()
    assert not Todo.objects.filter(done=True, completed_at__isnull=True).exists()
    assert not Todo.objects.filter(done=False, completed_at__isnull=False).exists()
    assert not Todo.objects.filter(done=True, completed_at__lte=F("created_at")).exists()


@pytest.mark.usefixtures("seeded")
def test_timestamps_tell_one_consistent_history_before_the_seed_day():
    for todo in Todo.objects.select_related("owner"):
        assert todo.owner.date_joined < todo.created_at < MIDNIGHT
        assert todo.created_at > MIDNIGHT - datetime.timedelta(days=366)
        assert todo.completed_at is None or todo.completed_at <= MIDNIGHT
        # The last change is the completion, else the creation; marking done was an edit.
        assert todo.updated_at == (todo.completed_at or todo.created_at)
        assert todo.version == (2 if todo.done else 1)
        if todo.due_date:
            assert todo.created_at.date() <= todo.due_date
            assert AS_OF - datetime.timedelta(days=30) <= todo.due_date
            assert todo.due_date <= AS_OF + datetime.timedelta(days=60)


@pytest.mark.usefixtures("seeded")
def test_a_users_todos_are_numbered_in_the_order_they_were_created():
    for user in User.objects.all():
        created = list(user.todos.order_by("pk").values_list("created_at", flat=True))
        assert created == sorted(created)


@pytest.mark.usefixtures("seeded")
def test_values_are_varied_like_real_data():
    todos = list(Todo.objects.prefetch_related("tags"))
    done = sum(todo.done for todo in todos) / len(todos)
    tagged = sum(bool(todo.tags.all()) for todo in todos) / len(todos)
    titles = [len(todo.title) for todo in todos]
    assert 0.25 < done < 0.42
    assert 0.4 < tagged < 0.6
    assert {todo.priority for todo in todos} == set(Priority.values)
    assert min(titles) < 20 < 60 < max(titles) <= TITLE_MAX_LENGTH
    assert any(todo.description == "" for todo in todos)
    assert any(len(todo.description) > 200 for todo in todos)
    assert any(todo.due_date is None for todo in todos)
    assert any(todo.due_date and todo.due_date < AS_OF for todo in todos)
    assert any(todo.due_date and todo.due_date > AS_OF for todo in todos)


def test_seeded_rows_pass_the_models_validation():
    seed(users=3, todos=60, tags_per_user=3)
    for model in (User, Tag, Todo):
        for obj in model.objects.all():
            obj.full_clean()


def test_seeded_users_share_the_documented_password_hashed_once():
    seed(users=3, todos_per_user=0)
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert User.objects.first().check_password(seeding.SEED_PASSWORD)


def test_seeded_keys_start_after_keys_written_explicitly():
    # loaddata and raw inserts write keys without moving PostgreSQL's sequence.
    first = TodoFactory()
    TodoFactory(id=first.pk + 1, owner=first.owner)
    seed(users=1, todos_per_user=5)
    assert counts()["Todo"] == 7


# Bad options and clashes

BAD_OPTIONS = {
    "negative users": ({"users": -1}, "--users must be 0 or more"),
    "negative todos": ({"todos": -5}, "--todos must be 0 or more"),
    "negative todos per user": ({"todos_per_user": -1}, "--todos-per-user must be 0 or more"),
    "negative tags": ({"tags_per_user": -2}, "--tags-per-user must be 0 or more"),
    "negative heavy user todos": (
        {"heavy_user": "bench", "heavy_user_todos": -1},
        "--heavy-user-todos must be 0 or more",
    ),
    "zero batch size": ({"batch_size": 0}, "--batch-size must be at least 1"),
    "zero workers": ({"workers": 0}, "--workers must be from 1 to 16, got 0"),
    # Each holds a connection: 150 ran PostgreSQL out of them halfway through (a traceback).
    "too many workers": ({"workers": 17}, "--workers must be from 1 to 16, got 17"),
    # One user's tags are built at once: three million took 600 MB.
    "too many tags per user": ({"tags_per_user": 10_001}, "--tags-per-user must be at most 10,000"),
    "both todo counts": ({"todos": 10, "todos_per_user": 2}, "--todos or --todos-per-user"),
    "heavy user todos alone": ({"heavy_user_todos": 5}, "--heavy-user-todos needs --heavy-user"),
    "heavy username invalid": ({"heavy_user": "no spaces"}, "--heavy-user 'no spaces'"),
    "todos for no users": ({"users": 0, "todos": 10}, "--todos needs at least one user"),
    "as-of in the future": (
        {"as_of": timezone.localdate() + datetime.timedelta(days=1)},
        "--as-of cannot be in the future",
    ),
    "as-of near year 1": ({"as_of": datetime.date(2, 1, 1)}, "--as-of must be 1970-01-01 or later"),
    "todos past the cap": (
        {"users": 1, "todos_per_user": 2**63},
        "9,223,372,036,854,775,808 todos",
    ),
    "tags past the cap": ({"users": 10**6, "tags_per_user": 10**4}, "10,000,000,000 tags"),
    "users past the cap": ({"users": 10**9, "heavy_user": "bench"}, "1,000,000,001 users"),
    "heavy username with @": ({"heavy_user": "a@b"}, "--heavy-user 'a@b': no @"),
    # Its email would not be valid: the profile form would then refuse every save.
    "heavy username not ascii": ({"heavy_user": "zoë"}, "its email zoë@example.com would not"),
    "heavy username dotted İ": ({"heavy_user": "JUSTİN.N2"}, "would not be a valid address"),
    "heavy username ending in a dot": ({"heavy_user": "bench."}, "would not be a valid address"),
    "heavy user named like a generated one": (
        {"users": 2, "heavy_user": GENERATED_USERNAME},
        f"--heavy-user '{GENERATED_USERNAME}' is also the name of a generated user",
    ),
}


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS.values(), ids=BAD_OPTIONS.keys())
def test_bad_options_are_refused_before_anything_is_deleted_or_written(options, message):
    existing = TodoFactory()
    before = table_rows()
    with pytest.raises(CommandError, match=re.escape(message)):
        seed(flush=True, interactive=False, **options)
    assert table_rows() == before
    assert Todo.objects.filter(pk=existing.pk).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--todos", "5", "--todos-per-user", "3"], "not allowed with argument"),
        (["--as-of", "yesterday"], "expected a date as YYYY-MM-DD"),
        (["--as-of", "20260101"], "expected a date as YYYY-MM-DD"),
        (["--as-of", "2026-W01-1"], "expected a date as YYYY-MM-DD"),
        (["--as-of", "2026-1-1"], "expected a date as YYYY-MM-DD"),
        (["--as-of", "2026-02-30"], "expected a date as YYYY-MM-DD"),
        (["--users", "many"], "invalid int value"),
        (["--database", "nope"], "argument --database: invalid choice: 'nope'"),
    ],
)
def test_bad_command_line_is_refused_and_writes_nothing(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed", *arguments, verbosity=0)
    assert set(counts().values()) == {0}


def test_seeding_the_same_seed_twice_without_flush_is_refused_and_writes_nothing():
    seed(users=3, todos_per_user=2)
    before = table_rows()
    with pytest.raises(CommandError, match="already exists"):
        seed(users=3, todos_per_user=2)
    assert table_rows() == before


def test_heavy_user_named_like_an_existing_user_is_refused():
    UserFactory(username="Bench")
    with pytest.raises(CommandError, match="A user 'Bench' already exists"):
        seed(users=2, heavy_user="bench", heavy_user_todos=3)
    assert counts() == {"User": 1, "Tag": 0, "Todo": 0, "Todo_tags": 0}


def test_heavy_user_named_like_a_generated_user_in_another_case_is_refused():
    with pytest.raises(CommandError, match="is also the name of a generated user"):
        seed(users=2, heavy_user=GENERATED_USERNAME.upper(), heavy_user_todos=3)
    assert set(counts().values()) == {0}


# Flush


def test_flush_with_no_input_empties_the_tables_first():
    old = TodoFactory()
    seed(users=2, todos_per_user=3, tags_per_user=1, flush=True, interactive=False)
    assert not User.objects.filter(username=old.owner.username).exists()
    assert counts()["User"] == 2
    assert counts()["Todo"] == 6


@pytest.mark.parametrize("answer", ["no", "", "y", "YES "])
def test_flush_asks_first_and_anything_but_yes_changes_nothing(monkeypatch, answer):
    TodoFactory()
    before = table_rows()
    monkeypatch.setattr("builtins.input", lambda prompt: answer)
    with pytest.raises(CommandError, match="cancelled"):
        seed(users=2, flush=True)
    assert table_rows() == before


@pytest.mark.parametrize("no_answer", [EOFError, KeyboardInterrupt], ids=["dev-null", "ctrl-c"])
def test_flush_with_no_answer_changes_nothing(monkeypatch, no_answer):
    TodoFactory()
    before = table_rows()

    def unanswered(prompt):
        raise no_answer

    monkeypatch.setattr("builtins.input", unanswered)
    with pytest.raises(CommandError, match=re.escape("Seeding cancelled: nothing was deleted")):
        seed(users=2, flush=True)
    assert table_rows() == before


def test_flush_goes_ahead_once_confirmed(monkeypatch):
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "yes")
    TodoFactory()
    seed(users=2, todos_per_user=1, flush=True)
    assert "deletes every user, tag and todo" in prompts[0]
    assert counts()["User"] == 2


# Batches and interruption


def interrupt_at_todo(monkeypatch, number):
    """Ctrl-C while the seed generates its todo number `number` (counted from 0)."""
    make_todos = seeding.SeedRows.todos

    def interrupted(self, **ids):
        for index, item in enumerate(make_todos(self, **ids)):
            if index == number:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(seeding.SeedRows, "todos", interrupted)


def test_an_interrupted_run_keeps_whole_batches_only(monkeypatch):
    options = {
        "users": 4,
        "todos": 70,
        "tags_per_user": 3,
        "batch_size": 20,
        "flush": True,
        "interactive": False,
    }
    seed(**options)
    complete = table_rows()
    interrupt_at_todo(monkeypatch, 45)  # in the third batch
    with pytest.raises(CommandError, match="Interrupted") as interruption:
        seed(**options)

    assert interruption.value.returncode == 130
    assert "the tables were emptied (--flush), then" in str(interruption.value)
    kept = table_rows()
    assert kept["User"] == complete["User"]
    assert kept["Tag"] == complete["Tag"]
    assert kept["Todo"] == complete["Todo"][:40]
    kept_todos = {row[0] for row in kept["Todo"]}
    links = [(todo, tag) for _, todo, tag in complete["Todo_tags"] if todo in kept_todos]
    assert [(todo, tag) for _, todo, tag in kept["Todo_tags"]] == links


def test_an_interruption_in_the_flush_keeps_every_row(monkeypatch):
    """Ctrl-C once the flush's first statement has run: its transaction takes it back."""
    seed(users=3, todos=10, tags_per_user=2)
    before = table_rows()
    execute = CursorWrapper.execute

    def interrupted_after_emptying(self, sql, params=None):
        result = execute(self, sql, params)
        if sql.startswith(("DELETE", "TRUNCATE")):
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(CursorWrapper, "execute", interrupted_after_emptying)
    with pytest.raises(CommandError) as interruption:
        seed(users=3, todos=10, tags_per_user=2, seed=2, flush=True, interactive=False)
    monkeypatch.undo()
    assert interruption.value.returncode == 130
    assert str(interruption.value) == (
        "Interrupted: every batch was committed whole or not at all; committed: nothing."
    )
    assert table_rows() == before


def test_an_interruption_before_the_first_batch_writes_nothing(monkeypatch):
    seed(users=3, todos=10, tags_per_user=2)
    before = table_rows()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(seeding, "first_taken_username", interrupted)
    with pytest.raises(CommandError) as interruption:
        seed(users=3, todos=10, tags_per_user=2, seed=2)
    assert interruption.value.returncode == 130
    assert "committed: nothing." in str(interruption.value)
    assert table_rows() == before


def test_a_database_error_halfway_says_what_was_committed(monkeypatch):
    make_todos = seeding.SeedRows.todos

    def refused(self, **ids):
        for index, item in enumerate(make_todos(self, **ids)):
            if index == 45:  # in the third batch
                raise OperationalError("FATAL: sorry, too many clients already")
            yield item

    monkeypatch.setattr(seeding.SeedRows, "todos", refused)
    options = {"users": 4, "todos": 70, "tags_per_user": 3, "batch_size": 20}
    with pytest.raises(CommandError) as stopped:
        seed(**options)
    message = str(stopped.value)
    assert "The database stopped the seed (FATAL: sorry, too many clients already)" in message
    assert "committed: 4 users, 12 tags, 40 todos" in message
    assert Todo.objects.count() == 40


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY exists on PostgreSQL only; other databases take the bulk_create path, "
    "tested by test_other_databases_write_with_bulk_create",
)
def test_postgresql_writes_every_table_with_copy():
    with CaptureQueriesContext(connection) as queries:
        seed(users=2, todos_per_user=3, tags_per_user=2)
    statements = [query["sql"] for query in queries]
    copied = {sql.split()[1].strip('"') for sql in statements if sql.startswith("COPY")}
    assert copied == {"users_user", "todos_tag", "todos_todo", "todos_todo_tags"}
    assert not any(sql.startswith("INSERT") for sql in statements)


def test_a_todo_the_app_saves_during_a_seed_gets_a_key_outside_the_seeds_block():
    """The seed reserves its keys at the start; the app goes on inserting meanwhile."""
    owner = UserFactory()
    plan = seeding.SeedPlan(users=1, todos_per_user=40, tags_per_user=0, seed=1, as_of=AS_OF)
    made = []

    def the_app_saves_a_todo(counts):
        if counts["todos"] and not made:
            made.append(Todo.objects.create(owner=owner, title="made in the app"))

    seeding.seed(
        seeding.seed_rows(plan), connection=connection, batch_size=10, on_batch=the_app_saves_a_todo
    )

    assert Todo.objects.count() == 41
    assert Todo.objects.filter(pk=made[0].pk, title="made in the app").exists()


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="PostgreSQL takes the COPY path, tested by test_postgresql_writes_every_table_with_copy",
)
def test_other_databases_write_with_bulk_create():
    with CaptureQueriesContext(connection) as queries:
        seed(users=2, todos_per_user=3, tags_per_user=2)
    inserted = {
        query["sql"].split()[2].strip('"') for query in queries if query["sql"].startswith("INSERT")
    }
    # On SQLite the key reservation also writes AUTOINCREMENT's counter.
    counter = {"sqlite_sequence"} if connection.vendor == "sqlite" else set()
    assert inserted == {"users_user", "todos_tag", "todos_todo", "todos_todo_tags"} | counter


# Writing from several connections (PostgreSQL, outside a transaction)


def needs_postgresql_and_commits(test):
    # Other connections see committed rows only: these tests run outside a test transaction.
    test = pytest.mark.django_db(transaction=True)(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Several writers exist on PostgreSQL only; elsewhere one connection writes all",
    )(test)


PARALLEL = {
    "users": 5,
    "todos": 130,
    "tags_per_user": 3,
    "batch_size": 10,
    "flush": True,
    "interactive": False,
}


def tag_links(rows, of_todos=None):
    """The (todo, tag) pairs of `rows` (from table_rows), of the todos `of_todos` or all."""
    return sorted(
        (todo, tag) for _, todo, tag in rows["Todo_tags"] if of_todos is None or todo in of_todos
    )


def writer_threads(monkeypatch):
    """The names of the threads that write todo batches, as they write them."""
    names = []
    write_todo_batch = seeding.write_todo_batch

    def noting_the_thread(writer, batch):
        names.append(threading.current_thread().name)
        return write_todo_batch(writer, batch)

    monkeypatch.setattr(seeding, "write_todo_batch", noting_the_thread)
    return names


@needs_postgresql_and_commits
def test_several_writers_write_the_same_rows_as_one(monkeypatch):
    seed(workers=1, **PARALLEL)
    one_writer = table_rows()
    threads = writer_threads(monkeypatch)
    seed(workers=3, **PARALLEL)
    several_writers = table_rows()
    # The links' own keys are numbered as the batches commit; what they link is the same.
    assert tag_links(several_writers) == tag_links(one_writer)
    del several_writers["Todo_tags"], one_writer["Todo_tags"]
    assert several_writers == one_writer
    assert len(threads) == PARALLEL["todos"] // PARALLEL["batch_size"]  # a name per todo batch
    assert len(set(threads)) > 1
    assert threading.main_thread().name not in threads


@needs_postgresql_and_commits
def test_inside_a_transaction_one_connection_writes_everything(monkeypatch):
    threads = writer_threads(monkeypatch)
    with transaction.atomic():
        seed(workers=3, **PARALLEL)
    assert set(threads) == {threading.main_thread().name}
    assert Todo.objects.count() == PARALLEL["todos"]


@needs_postgresql_and_commits
def test_an_interrupted_run_with_several_writers_keeps_whole_batches(monkeypatch):
    seed(workers=1, **PARALLEL)
    complete = table_rows()
    interrupt_at_todo(monkeypatch, 45)  # in the fifth batch
    threads = writer_threads(monkeypatch)
    with pytest.raises(CommandError, match="Interrupted") as interruption:
        seed(workers=2, **PARALLEL)
    assert len(threads) == 4
    assert threading.main_thread().name not in threads

    # The four batches handed out before the interruption were finished, the fifth never sent.
    assert "40 todos" in str(interruption.value)
    kept = table_rows()
    assert kept["Todo"] == complete["Todo"][:40]
    assert tag_links(kept) == tag_links(complete, of_todos={row[0] for row in kept["Todo"]})


@needs_postgresql_and_commits
def test_a_failing_batch_stops_the_run_with_its_error(monkeypatch):
    seed(workers=1, **PARALLEL)
    complete = table_rows()
    write_todo_batch = seeding.write_todo_batch

    def failing_on_the_third(writer, batch):
        (first_todo, _), *_ = batch
        if first_todo[0] == 21:  # --flush restarts the keys at 1: todos 21 to 30
            raise RuntimeError("the disk is full")
        return write_todo_batch(writer, batch)

    monkeypatch.setattr(seeding, "write_todo_batch", failing_on_the_third)
    with pytest.raises(RuntimeError, match="the disk is full"):
        seed(workers=2, **PARALLEL)

    kept = table_rows()
    kept_todos = {row[0] for row in kept["Todo"]}
    assert set(range(1, 21)) <= kept_todos
    assert not kept_todos & set(range(21, 31))
    assert len(kept_todos) % PARALLEL["batch_size"] == 0
    assert kept["Todo"] == [row for row in complete["Todo"] if row[0] in kept_todos]
    assert tag_links(kept) == tag_links(complete, of_todos=kept_todos)


# Output


def test_summary_reports_rows_per_table_seconds_and_rate():
    out = io.StringIO()
    seed(users=3, todos_per_user=4, tags_per_user=2, verbosity=1, stdout=out)
    text = out.getvalue()
    assert re.search(r"Seeded \d+ rows in [\d.]+ s \([\d,]+ rows/s\) with --seed 1", text)
    assert re.search(r"users +3\n", text)
    assert re.search(r"tags +6\n", text)
    assert re.search(r"todos +12\n", text)
    assert seeding.SEED_PASSWORD in text


def test_verbosity_zero_prints_nothing():
    out = io.StringIO()
    seed(users=2, todos_per_user=2, verbosity=0, stdout=out)
    assert out.getvalue() == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


PLAN = seeding.SeedPlan(users=2, tags_per_user=0, seed=1, as_of=AS_OF, todos=40)


def progress_counts(todos):
    return {"users": 2, "tags": 0, "todos": todos, "todo tags": 0}


def test_progress_redraws_one_line_on_a_terminal():
    terminal = Terminal()
    seconds = iter([0, 1, 2])
    progress = Progress(OutputWrapper(terminal), PLAN, verbosity=1, clock=lambda: next(seconds))
    progress.update(progress_counts(10))
    progress.update(progress_counts(20))
    progress.finish()
    shown = terminal.getvalue()
    assert shown.count("\r") == 2
    assert shown.endswith("\n")
    assert "20/40 todos (50%), 22 rows in 2.0 s, 11 rows/s" in shown


def test_progress_elsewhere_prints_a_line_every_few_seconds():
    log = io.StringIO()
    seconds = iter([0, 1, 2, 6])
    progress = Progress(OutputWrapper(log), PLAN, verbosity=1, clock=lambda: next(seconds))
    progress.update(progress_counts(10))
    progress.update(progress_counts(20))
    progress.update(progress_counts(30))
    progress.finish()
    assert log.getvalue().splitlines() == [
        "2/2 users, 30/40 todos (75%), 32 rows in 6.0 s, 5 rows/s"
    ]
