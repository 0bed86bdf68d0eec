"""The demo fixtures load on either database, load twice without duplicates, and fail atomically."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError
from django.urls import reverse

from todos.models import Tag, Todo
from users.models import User

pytestmark = pytest.mark.django_db

DEMO_PASSWORDS = {
    "admin": "admin-todos-2026",
    "alice": "alice-todos-2026",
    "bob": "bob-todos-2026",
    "carol": "carol-todos-2026",
}


def table_counts():
    return (User.objects.count(), Tag.objects.count(), Todo.objects.count())


@pytest.fixture
def demo_data():
    call_command("loaddata", "demo_users", "demo_todos", verbosity=0)


@pytest.mark.usefixtures("demo_data")
def test_demo_fixtures_load_users_tags_and_todos():
    assert User.objects.count() >= 3
    assert User.objects.filter(is_staff=True, is_superuser=True).exists()
    assert Todo.objects.count() >= 20
    assert Todo.objects.completed().exists()
    assert Todo.objects.filter(due_date__isnull=False).exists()
    assert Todo.objects.filter(tags__isnull=False).exists()


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize("app", ["users", "todos"])
def test_each_fixture_is_what_the_readmes_dumpdata_writes_of_it(app, tmp_path):
    """Byte for byte, so a new field shows up here until the fixtures are dumped again."""
    dumped = tmp_path / f"demo_{app}.json"
    call_command(
        "dumpdata", app, natural_foreign=True, natural_primary=True, indent=2, output=str(dumped)
    )
    assert dumped.read_text() == (settings.BASE_DIR / "fixtures" / f"demo_{app}.json").read_text()


@pytest.mark.usefixtures("demo_data")
def test_every_demo_todos_tags_belong_to_its_owner():
    for todo in Todo.objects.prefetch_related("tags"):
        assert {tag.owner_id for tag in todo.tags.all()} <= {todo.owner_id}


@pytest.mark.usefixtures("demo_data")
def test_loading_the_demo_fixtures_twice_leaves_the_same_rows():
    before = (table_counts(), list(Todo.objects.values_list("id", "title", "done")))
    call_command("loaddata", "demo_users", "demo_todos", verbosity=0)
    after = (table_counts(), list(Todo.objects.values_list("id", "title", "done")))
    assert after == before


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize(("username", "password"), DEMO_PASSWORDS.items())
def test_demo_user_logs_in_with_the_documented_password(client, username, password):
    user = User.objects.get(username=username)
    assert user.password.startswith("argon2$")
    assert user.check_password(password)
    response = client.post(reverse("users:login"), {"username": username, "password": password})
    assert response.url == reverse("todos:list")


def write_fixture(tmp_path, rows):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows))
    return str(path)


# A fixture's rows are saved raw: auto_now and auto_now_add do not fill these in.
SAVED_AT = {"created_at": "2026-01-05T09:00:00Z", "updated_at": "2026-01-05T09:00:00Z"}
GOOD_USER = {"model": "users.user", "fields": {"username": "newcomer", "password": "!"}}
# name: (rows, what loaddata raises)
BAD_FIXTURES = {
    "unknown field": (
        [GOOD_USER, {"model": "todos.tag", "fields": {"owner": ["newcomer"], "colour": "red"}}],
        DeserializationError,
    ),
    "broken reference": (
        [
            GOOD_USER,
            {"model": "todos.todo", "pk": 999, "fields": {"owner": ["nobody"], "title": "Orphan"}},
        ],
        CommandError,
    ),
    "tag name with a comma": (
        [
            GOOD_USER,
            {"model": "todos.tag", "pk": 999, "fields": {"owner": ["newcomer"], "name": "a,b"}},
        ],
        IntegrityError,
    ),
    "row breaking a constraint": (
        [
            GOOD_USER,
            {
                "model": "todos.todo",
                "pk": 999,
                "fields": {"owner": ["newcomer"], "title": "Done?", "done": True},
            },
        ],
        IntegrityError,
    ),
}


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize(("rows", "error"), BAD_FIXTURES.values(), ids=BAD_FIXTURES.keys())
def test_bad_fixture_fails_and_leaves_the_database_as_it_was(tmp_path, rows, error):
    before = table_counts()
    with pytest.raises(error):
        call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    assert table_counts() == before
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.usefixtures("demo_data")
def test_a_user_in_another_letter_case_is_not_taken_for_the_account(tmp_path):
    """A fixture's "ALICE" is a new user, refused as alice's name: it does not write over alice
    (logins ignore case, natural keys do not)."""
    rows = [{"model": "users.user", "fields": {"username": "ALICE", "password": "!"}}]
    before = User.objects.values_list("pk", "username", "password").get(username="alice")
    with pytest.raises(IntegrityError):
        call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    assert User.objects.values_list("pk", "username", "password").get(pk=before[0]) == before


def test_a_todo_whose_owner_is_nowhere_fails_naming_the_owner(tmp_path):
    rows = [
        GOOD_USER,
        {"model": "todos.todo", "pk": 999, "fields": {"owner": ["nobody"], "title": "Orphan"}},
    ]
    with pytest.raises(CommandError) as refused:
        call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    assert str(refused.value) == (
        "Could not load todos.Todo(pk=999): its owner ['nobody'] is not in the database, nor "
        "earlier in the fixtures."
    )
    assert table_counts() == (0, 0, 0)


def test_an_excluded_todo_whose_owner_is_nowhere_is_skipped(tmp_path):
    rows = [
        GOOD_USER,
        {"model": "todos.todo", "pk": 999, "fields": {"owner": ["nobody"], "title": "Orphan"}},
    ]
    call_command("loaddata", write_fixture(tmp_path, rows), exclude=["todos.todo"], verbosity=0)
    assert table_counts() == (1, 0, 0)


def test_a_todo_before_its_owner_in_the_fixture_fails_naming_the_owner(tmp_path):
    """Django fills in a reference to a row further on only where the column may be empty."""
    rows = [
        {"model": "todos.todo", "pk": 999, "fields": {"owner": ["newcomer"], "title": "Early"}},
        GOOD_USER,
    ]
    with pytest.raises(CommandError, match=r"its owner \['newcomer'\] is not in the database"):
        call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    assert table_counts() == (0, 0, 0)


def newcomers_todo(title, tags):
    """Rows of a new user with a tag "mine" and todo 999 called `title`, tagged `tags`."""
    todo = {"owner": ["newcomer"], "title": title, "tags": tags, **SAVED_AT}
    return [
        GOOD_USER,
        {"model": "todos.tag", "fields": {"owner": ["newcomer"], "name": "mine"}},
        {"model": "todos.todo", "pk": 999, "fields": todo},
    ]


@pytest.mark.usefixtures("demo_data")
def test_fixture_tagging_a_todo_with_another_users_tag_fails_and_loads_nothing(tmp_path):
    rows = newcomers_todo("Borrowed tag", tags=[["newcomer", "mine"], ["alice", "work"]])
    before = table_counts()
    with pytest.raises(CommandError, match=r"todo 999 \(Borrowed tag\) has tag \d+ \(work\)"):
        call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    assert table_counts() == before
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.usefixtures("demo_data")
def test_fixture_of_links_alone_tagging_a_todo_with_another_users_tag_fails(tmp_path):
    bobs = Todo.objects.filter(owner__username="bob").first()
    rows = [{"model": "todos.todo_tags", "fields": {"todo": bobs.pk, "tag": ["alice", "work"]}}]
    before = set(bobs.tags.all())
    out = io.StringIO()
    with pytest.raises(CommandError, match="which belongs to another user"):
        call_command("loaddata", write_fixture(tmp_path, rows), stdout=out)
    assert set(bobs.tags.all()) == before
    assert "Installed" not in out.getvalue()  # Django's summary comes only after the check


@pytest.mark.usefixtures("demo_data")
def test_fixture_giving_a_tag_in_use_to_another_user_fails_and_changes_nothing(tmp_path):
    work = Tag.objects.get(owner__username="alice", name="work")
    rows = [{"model": "todos.tag", "pk": work.pk, "fields": {"owner": ["bob"], "name": "moved"}}]
    with pytest.raises(CommandError, match="which belongs to another user"):
        call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    work.refresh_from_db()
    assert work.owner.username == "alice"


def test_fixture_tagging_todos_with_their_owners_tags_loads(tmp_path):
    rows = newcomers_todo("Own tag", tags=[["newcomer", "mine"]])
    call_command("loaddata", write_fixture(tmp_path, rows), verbosity=0)
    assert [tag.name for tag in Todo.objects.get(pk=999).tags.all()] == ["mine"]


def test_load_demo_data_skips_a_database_that_has_users(user):
    call_command("load_demo_data", verbosity=0)
    assert User.objects.count() == 1
    assert Todo.objects.count() == 0


def test_load_demo_data_fills_an_empty_database():
    call_command("load_demo_data", verbosity=0)
    assert User.objects.filter(username="alice").exists()
