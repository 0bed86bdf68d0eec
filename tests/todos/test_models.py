import datetime

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from tests.factories import TagFactory, TodoFactory, UserFactory
from todos.models import Priority, Tag, TagNameListField, Todo

pytestmark = pytest.mark.django_db


def assert_update_refused(todo, refused_with=IntegrityError, **values):
    with pytest.raises(refused_with), transaction.atomic():
        Todo.objects.filter(pk=todo.pk).update(**values)


@pytest.mark.parametrize("title", ["", "   "])
def test_blank_title_is_refused_by_the_database(title):
    assert_update_refused(TodoFactory(), title=title)


def test_title_over_200_characters_is_refused_by_the_database():
    # PostgreSQL's varchar(200) refuses it first (DataError); SQLite needs the check constraint.
    assert_update_refused(TodoFactory(), refused_with=(IntegrityError, DataError), title="x" * 201)


@pytest.mark.parametrize(
    "values",
    [
        {"done": True, "completed_at": None},
        {"done": False, "completed_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)},
        {"priority": 7},
        {"version": 0},
    ],
    ids=["done-without-completed_at", "completed_at-without-done", "unknown-priority", "version-0"],
)
def test_values_a_check_constraint_forbids_are_refused(values):
    assert_update_refused(TodoFactory(), **values)


def test_tag_name_is_unique_per_owner_ignoring_case():
    tag = TagFactory(name="Work")
    with pytest.raises(IntegrityError), transaction.atomic():
        TagFactory(owner=tag.owner, name="work")


def test_two_users_may_have_tags_with_the_same_name():
    TagFactory(name="work")
    TagFactory(name="work")
    assert Tag.objects.filter(name="work").count() == 2


def test_blank_tag_name_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        TagFactory(name="  ")


def test_tag_natural_key_is_owner_username_and_name():
    tag = TagFactory(owner=UserFactory(username="ada"), name="home")
    assert tag.natural_key() == ("ada", "home")
    assert Tag.objects.get_by_natural_key("ada", "home") == tag


def test_deleting_a_user_deletes_their_todos_and_tags_only():
    todo = TodoFactory()
    TagFactory(owner=todo.owner)
    kept = TodoFactory()
    todo.owner.delete()
    assert list(Todo.objects.all()) == [kept]
    assert not Tag.objects.filter(owner_id=todo.owner_id).exists()


def test_set_done_keeps_completed_at_consistent():
    todo = TodoFactory()
    todo.set_done(True)
    todo.save()
    assert todo.completed_at is not None
    todo.set_done(False)
    todo.save()
    assert todo.completed_at is None


def test_new_todo_starts_at_version_one_with_normal_priority():
    todo = Todo.objects.create(owner=UserFactory(), title="Write tests")
    assert (todo.version, todo.priority, todo.done) == (1, Priority.NORMAL, False)


def test_querysets_filter_by_owner_status_search_and_tag():
    owner = UserFactory()
    work = TagFactory(owner=owner, name="Work")
    report = TodoFactory(owner=owner, title="Quarterly REPORT", tags=[work])
    notes = TodoFactory(owner=owner, title="Notes", description="for the report", completed=True)
    TodoFactory(title="Someone else's report")

    mine = Todo.objects.for_user(owner)
    assert set(mine) == {report, notes}
    assert list(mine.active()) == [report]
    assert list(mine.completed()) == [notes]
    assert set(mine.search("report")) == {report, notes}
    assert list(mine.with_tag("WORK")) == [report]


def test_overdue_means_active_and_due_before_today():
    today = timezone.localdate()
    late = TodoFactory(due_date=today - datetime.timedelta(days=1))
    TodoFactory(due_date=today - datetime.timedelta(days=1), completed=True)
    due_today = TodoFactory(due_date=today)
    assert list(Todo.objects.overdue(today)) == [late]
    assert late.is_overdue
    assert not due_today.is_overdue


def test_todos_are_newest_first():
    older = TodoFactory(created_at=timezone.now() - datetime.timedelta(days=1))
    newer = TodoFactory()
    assert list(Todo.objects.all()) == [newer, older]


def test_with_tag_for_one_owner_matches_the_per_row_lookup():
    owner = UserFactory()
    work = TagFactory(owner=owner, name="Work")
    tagged = TodoFactory(owner=owner, tags=[work])
    TodoFactory(owner=owner)
    TodoFactory(tags=[TagFactory(name="work")])  # another owner's tag of that name
    mine = Todo.objects.for_user(owner)
    assert list(mine.with_tag("WORK", owner=owner)) == list(mine.with_tag("WORK")) == [tagged]


def test_counts_are_active_and_completed():
    owner = UserFactory()
    TodoFactory.create_batch(2, owner=owner)
    TodoFactory(owner=owner, completed=True)
    TodoFactory(completed=True)
    assert Todo.objects.for_user(owner).counts() == {"active": 2, "completed": 1}
    assert Todo.objects.none().counts() == {"active": 0, "completed": 0}


def test_set_done_changes_only_rows_in_the_other_state():
    open_todo = TodoFactory()
    done_todo = TodoFactory(completed=True)
    assert Todo.objects.set_done(True) == 1
    open_todo.refresh_from_db()
    done_todo.refresh_from_db()
    assert (open_todo.done, open_todo.version) == (True, 2)
    assert open_todo.completed_at is not None
    assert done_todo.version == 1


def test_tags_named_any_ignores_case_and_counts_open_and_done_todos():
    owner = UserFactory()
    home = TagFactory(owner=owner, name="Home")
    TagFactory(owner=owner, name="work")
    TodoFactory(owner=owner, tags=[home])
    TodoFactory(owner=owner, tags=[home], completed=True)
    assert list(Tag.objects.for_user(owner).named_any(["HOME", "other"])) == [home]
    counted = {tag.name: (tag.open_count, tag.done_count) for tag in Tag.objects.with_todo_counts()}
    assert counted == {"Home": (1, 1), "work": (0, 0)}


def index_columns(table):
    """The columns of each index of `table`."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's SQLite introspection cannot parse this table's check constraints.
            cursor.execute(f'PRAGMA index_list("{table}")')
            names = [row[1] for row in cursor.fetchall()]
            columns = []
            for name in names:
                cursor.execute(f'PRAGMA index_info("{name}")')
                columns.append(tuple(row[2] for row in cursor.fetchall()))
            return columns
        constraints = connection.introspection.get_constraints(cursor, table)
    return [tuple(c["columns"]) for c in constraints.values() if c["index"]]


def test_no_index_on_todos_is_the_start_of_another():
    """Such an index costs every write and serves nothing the longer one does not."""
    indexes = index_columns(Todo._meta.db_table)
    assert ("owner_id", "created_at", "id") in indexes
    for short in indexes:
        for long in indexes:
            assert len(short) >= len(long) or long[: len(short)] != short, (short, long)


def test_with_tag_list_gives_each_todo_its_tags_by_name():
    user = UserFactory()
    home, work = TagFactory(owner=user, name="home"), TagFactory(owner=user, name="work")
    tagged = TodoFactory(owner=user, tags=[work, home])
    untagged = TodoFactory(owner=user)
    todos = {todo.pk: todo for todo in Todo.objects.with_tag_list()}
    assert todos[tagged.pk].tag_list == [home, work]
    assert todos[untagged.pk].tag_list == []


def test_with_tag_names_reads_each_todos_tag_names_in_tag_order():
    user = UserFactory()
    # Letter case and a non-ASCII letter: orders that differ between collations and Python.
    names = ["home", "Work", "Äpfel", "garden", "zoo"]
    tagged = TodoFactory(owner=user, tags=[TagFactory(owner=user, name=name) for name in names])
    untagged = TodoFactory(owner=user)
    TodoFactory(tags=[TagFactory(name="someone else's")])
    in_tag_order = list(Tag.objects.filter(owner=user).values_list("name", flat=True))

    todos = {todo.pk: todo for todo in Todo.objects.for_user(user).with_tag_names()}

    # "Äpfel" last on both databases: past "z" whether lowered (PostgreSQL) or not (SQLite).
    assert todos[tagged.pk].tag_names == in_tag_order == ["garden", "home", "Work", "zoo", "Äpfel"]
    assert todos[untagged.pk].tag_names == []


def test_tag_names_from_a_json_array_come_sorted_as_sqlite_sorts_them():
    # SQLite's json_group_array promises no order; its LOWER() folds A to Z only, and its BINARY
    # collation compares code points.
    json_array = '["zoo", "Äpfel", "äpfel", "Work", "home"]'
    names = TagNameListField().from_db_value(json_array, None, connection)
    assert names == ["home", "Work", "zoo", "Äpfel", "äpfel"]
