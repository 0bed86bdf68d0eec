import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.helpers import database_snapshot, unapplied_migrations
from users.models import User


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "table"), [("todos", "todos_todo"), ("users", "users_user")])
def test_an_apps_migrations_reverse_to_zero_and_apply_again(app, table):
    # users to zero takes along what depends on the user table: todos, the admin's log, axes.
    call_command("migrate", app, "zero", verbosity=0)
    assert table not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert table in connection.introspection.table_names()
    assert unapplied_migrations() == []


def schema():
    """The apps' tables, columns, indexes and constraints, as the database describes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's SQLite introspection cannot parse these tables' CHECK constraints; the
            # statements that made them describe them exactly.
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master"
                " WHERE tbl_name LIKE 'users%' OR tbl_name LIKE 'todos%' ORDER BY type, name"
            )
            return cursor.fetchall()
        tables = {}
        for table in connection.introspection.table_names(cursor):
            if table.startswith(("users_", "todos_")):
                description = connection.introspection.get_table_description(cursor, table)
                tables[table] = (
                    [column.name for column in description],
                    connection.introspection.get_constraints(cursor, table),
                )
        return tables


def steps_back():
    """(app, migration, the one before it) for each migration of ours but an app's first, whose
    reversal drops the tables with their rows (test_an_apps_migrations_reverse_to_zero...)."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return [
        (app, name, previous)
        for app, name in sorted(graph.nodes)
        if app in ("users", "todos")
        for previous_app, previous in graph.node_map[app, name].parents
        if previous_app == app
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("app", "migration", "previous"), steps_back())
def test_each_migration_reverses_and_applies_again_with_rows_in_the_tables(
    app, migration, previous
):
    call_command("loaddata", "demo_users", "demo_todos", verbosity=0)
    call_command("seed", users=3, todos_per_user=4, tags_per_user=2, seed=1, verbosity=0)
    rows, tables = database_snapshot(), schema()

    call_command("migrate", app, previous, verbosity=0)
    unapplied = [(step.app_label, step.name) for step, _ in unapplied_migrations()]
    assert (app, migration) in unapplied
    call_command("migrate", verbosity=0)

    assert unapplied_migrations() == []
    assert database_snapshot() == rows
    assert schema() == tables


USERNAME_TRIGRAM_INDEX = "user_username_trgm_idx"


def user_indexes():
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "users_user"))


@pytest.mark.django_db(transaction=True)
def test_the_username_trigram_index_is_postgresql_only_and_reverses():
    call_command("migrate", "users", "0001", verbosity=0)
    assert USERNAME_TRIGRAM_INDEX not in user_indexes()
    call_command("migrate", verbosity=0)
    assert (USERNAME_TRIGRAM_INDEX in user_indexes()) == (connection.vendor == "postgresql")
    assert unapplied_migrations() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.django_db
def test_a_username_icontains_lookup_can_use_the_trigram_index():
    with connection.cursor() as cursor:
        # A handful of test users is cheaper to scan: make the planner show it can use the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    # Unordered, as in the admin search's subquery (ordered, the username index wins).
    plan = User.objects.filter(username__icontains="ali").order_by().explain()
    assert USERNAME_TRIGRAM_INDEX in plan


@pytest.mark.django_db(transaction=True)
def test_tags_with_a_comma_are_renamed_before_the_constraint_refuses_them():
    call_command("migrate", "todos", "0003", verbosity=0)
    owner = User.objects.create(username="comma")
    with connection.cursor() as cursor:
        for tag_id, name in [(1, "a,b"), (2, "A B"), (3, ",,"), (4, "x" * 49 + ",")]:
            cursor.execute(
                "INSERT INTO todos_tag (id, owner_id, name) VALUES (%s, %s, %s)",
                [tag_id, owner.pk, name],
            )
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM todos_tag ORDER BY id")
        names = dict(cursor.fetchall())
    # "a b" is taken in another case; a name of commas alone has nothing left.
    assert names == {1: "a b (2)", 2: "A B", 3: "tag", 4: "x" * 49}
    assert unapplied_migrations() == []


@pytest.mark.django_db(transaction=True)
def test_descriptions_saved_with_cr_lf_get_lf_and_keep_it_going_back():
    call_command("migrate", "todos", "0008", verbosity=0)
    owner = User.objects.create(username="lines")
    with connection.cursor() as cursor:
        for todo_id, description in [(1, "one\r\ntwo\r\n"), (2, "kept\nas is"), (3, "")]:
            cursor.execute(
                "INSERT INTO todos_todo (id, owner_id, title, description, done, priority, "
                "created_at, updated_at, version) VALUES (%s, %s, 'x', %s, %s, 2, %s, %s, 1)",
                [todo_id, owner.pk, description, False, "2026-01-01 00:00:00", "2026-01-01"],
            )

    def descriptions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, description FROM todos_todo ORDER BY id")
            return dict(cursor.fetchall())

    call_command("migrate", "todos", "0009", verbosity=0)
    assert descriptions() == {1: "one\ntwo\n", 2: "kept\nas is", 3: ""}
    call_command("migrate", "todos", "0008", verbosity=0)
    assert descriptions() == {1: "one\ntwo\n", 2: "kept\nas is", 3: ""}
    call_command("migrate", verbosity=0)
    assert unapplied_migrations() == []
