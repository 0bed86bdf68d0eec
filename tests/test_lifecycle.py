"""The database lifecycle: `make reset`, the dump/load round trip, fixtures that cannot fall
behind the models, and a README schema diagram that cannot fall behind them either."""

import datetime
import json
import re
from collections import Counter

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.core.serializers import sort_dependencies
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from tests.factories import UserFactory
from tests.helpers import unapplied_migrations
from todos import seeding
from todos.models import Tag, Todo
from users.models import User

FIXTURES = sorted((settings.BASE_DIR / "fixtures").glob("*.json"))
README = settings.BASE_DIR / "README.md"
DEMO_USERNAMES = {"admin", "alice", "bob", "carol"}


@pytest.fixture
def fresh_content_types():
    """Content types are cached by id; tests that rebuild the tables renumber them."""
    yield
    ContentType.objects.clear_cache()


# make reset


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_content_types")
def test_reset_drops_every_table_migrates_from_zero_and_loads_the_demo_data(settings):
    settings.DEBUG = True
    UserFactory(username="leftover")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE stale_table (id integer)")

    call_command("reset_local_data", interactive=False, verbosity=0)

    assert "stale_table" not in connection.introspection.table_names()
    assert set(User.objects.values_list("username", flat=True)) == DEMO_USERNAMES
    assert Todo.objects.exists()
    assert unapplied_migrations() == []


@pytest.mark.django_db
def test_reset_refuses_to_run_without_debug():
    UserFactory(username="kept")
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("reset_local_data", interactive=False, verbosity=0)
    assert User.objects.filter(username="kept").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["no", "", "y", "YES "])
def test_reset_asks_first_and_anything_but_yes_changes_nothing(settings, monkeypatch, answer):
    settings.DEBUG = True
    UserFactory(username="kept")
    monkeypatch.setattr("builtins.input", lambda prompt: answer)
    with pytest.raises(CommandError, match="Reset cancelled"):
        call_command("reset_local_data", verbosity=0)
    assert User.objects.filter(username="kept").exists()


@pytest.mark.django_db
def test_reset_with_no_one_to_answer_changes_nothing(settings, monkeypatch):
    settings.DEBUG = True
    UserFactory(username="kept")

    def input_from_dev_null(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", input_from_dev_null)
    with pytest.raises(CommandError, match="Reset cancelled"):
        call_command("reset_local_data", verbosity=0)
    assert User.objects.filter(username="kept").exists()


@pytest.mark.parametrize("command", ["reset_local_data", "load_demo_data", "seed"])
def test_an_unknown_database_is_a_command_line_error(command):
    with pytest.raises(CommandError, match="invalid choice: 'nosuch'"):
        call_command(command, "--database", "nosuch", verbosity=0)


# Dump and load


def content():
    """Every row of the users and todos apps by what it holds; loaddata renumbers users and tags
    (their natural keys replace the ids), so those are compared without ids."""
    user_fields = [field.attname for field in User._meta.concrete_fields if not field.primary_key]
    todo_fields = [
        "owner__username" if field.attname == "owner_id" else field.attname
        for field in Todo._meta.concrete_fields
    ]
    return {
        "users": list(User.objects.order_by("username").values_list(*user_fields)),
        "tags": list(
            Tag.objects.order_by("owner__username", "name").values_list("owner__username", "name")
        ),
        "todos": list(Todo.objects.order_by("pk").values_list(*todo_fields)),
        "todo tags": list(
            Todo.tags.through.objects.order_by("todo_id", "tag__name").values_list(
                "todo_id", "tag__owner__username", "tag__name"
            )
        ),
    }


@pytest.mark.django_db
def test_dumpdata_then_loaddata_into_empty_tables_gives_the_same_rows(tmp_path):
    call_command("loaddata", "demo_users", "demo_todos", verbosity=0)
    call_command(
        "seed",
        users=8,
        todos=120,
        tags_per_user=3,
        seed=4,
        as_of=datetime.date(2026, 3, 1),
        verbosity=0,
    )
    before = content()
    dump = tmp_path / "dump.json"
    call_command(
        "dumpdata",
        "users",
        "todos",
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        verbosity=0,
    )

    # Inside the test's transaction: emptying and loading run in savepoints of it.
    seeding.flush(connection)
    assert not any(content().values())
    call_command("loaddata", str(dump), verbosity=0)

    assert content() == before
    assert len(before["todos"]) == 120 + 22
    assert before["todo tags"]


# Fixtures against the models


def fixture_models(path):
    return [apps.get_model(entry["model"]) for entry in json.loads(path.read_text())]


def in_dependency_order(paths):
    """Fixture files ordered so that the rows their natural keys name are loaded first."""
    order = sort_dependencies([(config, None) for config in apps.get_app_configs()])
    return sorted(paths, key=lambda path: min(map(order.index, fixture_models(path))))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_content_types")
def test_every_fixture_loads_into_a_database_migrated_from_zero_and_validates():
    executor = MigrationExecutor(connection)
    executor.migrate([(app, None) for app in executor.loader.migrated_apps])
    assert set(connection.introspection.table_names()) == {"django_migrations"}
    call_command("migrate", verbosity=0)

    assert FIXTURES
    call_command("loaddata", *in_dependency_order(FIXTURES), verbosity=0)

    expected = Counter(model for path in FIXTURES for model in fixture_models(path))
    for model, count in expected.items():
        objects = list(model._default_manager.all())
        assert len(objects) == count, model
        for obj in objects:
            obj.full_clean()
    # What neither full_clean() nor the constraints see: the links between two users' rows
    # (full_clean() skips many-to-many fields), and each todo's history in order.
    assert not Todo.tags.through.objects.exclude(tag__owner=F("todo__owner")).exists()
    assert not Todo.objects.filter(created_at__gt=F("updated_at")).exists()
    assert not Todo.objects.filter(completed_at__gt=F("updated_at")).exists()


# The README's schema diagram against the models

# Diagram types, as PostgreSQL names them, of the model fields' internal types.
DIAGRAM_TYPES = {
    "BigAutoField": "bigint",
    "ForeignKey": "bigint",
    "CharField": "varchar",
    "TextField": "text",
    "BooleanField": "boolean",
    "DateTimeField": "timestamptz",
    "DateField": "date",
    "PositiveSmallIntegerField": "smallint",
    "PositiveIntegerField": "integer",
    "JSONField": "jsonb",
    "UUIDField": "uuid",
}
ENTITY = re.compile(r"^ *(\w+) *\{\n(.*?)^ *\}", re.MULTILINE | re.DOTALL)
ATTRIBUTE = re.compile(r'^(?P<type>\w+) +(?P<name>\w+)(?: +(?P<keys>[A-Z, ]+?))?(?: +"[^"]*")?$')
RELATIONSHIP = re.compile(r"^ *(\w+) +[|}][|o]--[|o][|{] +(\w+) *:", re.MULTILINE)


def er_diagram():
    block = re.search(r"```mermaid\n(erDiagram\n.*?)```", README.read_text(), re.DOTALL)
    assert block, "README.md has no ```mermaid erDiagram block"
    return block[1]


def diagram_entities():
    """{entity: [(type, column, {keys})]} from the README's diagram."""
    entities = {}
    for name, body in ENTITY.findall(er_diagram()):
        attributes = [ATTRIBUTE.match(line.strip()) for line in body.strip().splitlines()]
        assert all(attributes), f"unreadable attribute line in {name}"
        entities[name] = [
            (match["type"], match["name"], set(re.findall(r"[A-Z]{2}", match["keys"] or "")))
            for match in attributes
        ]
    return entities


def diagrammed_models():
    """Every model of the users and todos apps, and the many-to-many tables between them."""
    ours = [
        model
        for app in ("users", "todos")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    ]
    declared = {model for model in ours if not model._meta.auto_created}
    links = {
        model
        for model in ours
        if model._meta.auto_created
        and all(f.related_model in declared for f in model._meta.concrete_fields if f.is_relation)
    }
    return {model._meta.object_name: model for model in declared | links}


def model_attributes(model):
    attributes = []
    for field in model._meta.concrete_fields:
        internal_type = field.get_internal_type()
        assert internal_type in DIAGRAM_TYPES, f"add {internal_type} to DIAGRAM_TYPES"
        keys = {"PK"} if field.primary_key else set()
        keys |= {"FK"} if field.is_relation else set()
        keys |= {"UK"} if field.unique and not field.primary_key else set()
        attributes.append((DIAGRAM_TYPES[internal_type], field.column, keys))
    return attributes


def test_readme_diagram_has_an_entity_for_every_model_and_link_table():
    assert set(diagram_entities()) == set(diagrammed_models())
    assert {"User", "Tag", "Todo", "Todo_tags"} <= set(diagram_entities())


@pytest.mark.parametrize("entity", sorted(diagrammed_models()))
def test_readme_diagram_lists_every_column_with_its_type_and_keys(entity):
    assert diagram_entities()[entity] == model_attributes(diagrammed_models()[entity])


def test_readme_diagram_draws_one_relationship_per_foreign_key():
    models = diagrammed_models()
    foreign_keys = Counter(
        (field.related_model._meta.object_name, name)
        for name, model in models.items()
        for field in model._meta.concrete_fields
        if field.is_relation
    )
    assert Counter(RELATIONSHIP.findall(er_diagram())) == foreign_keys
