import pytest
from django.utils import timezone

from tests.factories import TagFactory, TodoFactory, UserFactory
from tests.helpers import database_snapshot
from todos.models import Tag, Todo
from todos.services import (
    TodoChangedElsewhere,
    tag_delete,
    tag_rename,
    tags_get_or_create,
    todo_clear_completed,
    todo_toggle_all,
    todo_update,
)

pytestmark = pytest.mark.django_db


def test_tags_get_or_create_reuses_the_owners_tags_ignoring_case_and_creates_the_rest(user):
    work = TagFactory(owner=user, name="Work")
    TagFactory(name="home")  # someone else's: not reused

    tags = tags_get_or_create(owner=user, names=["work", "home"])

    assert tags[0] == work
    assert tags[0].name == "Work"
    assert tags[1].owner == user
    assert tags[1].name == "home"
    assert Tag.objects.for_user(user).count() == 2


def test_tags_get_or_create_with_no_names_creates_nothing(user):
    assert tags_get_or_create(owner=user, names=[]) == []
    assert not Tag.objects.exists()


def test_todo_update_saves_and_bumps_the_version_when_it_is_unchanged():
    todo = TodoFactory(version=3)
    todo.title = "New title"
    todo_update(todo=todo, loaded_version=3, fields=["title"], tag_names=["x"])
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("New title", 4)
    assert [tag.name for tag in todo.tags.all()] == ["x"]


def test_todo_update_from_a_stale_version_writes_nothing():
    todo = TodoFactory(version=3, title="Kept")
    stale = Todo.objects.get(pk=todo.pk)
    stale.title = "Lost"
    with pytest.raises(TodoChangedElsewhere):
        todo_update(todo=stale, loaded_version=2, fields=["title"], tag_names=["new"])
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Kept", 3)
    assert not Tag.objects.exists()


def test_todo_update_sets_completed_at_when_done_and_keeps_it_once_done():
    todo = TodoFactory()
    todo.done = True
    todo_update(todo=todo, loaded_version=1, fields=["done"], tag_names=[])
    completed_at = Todo.objects.get(pk=todo.pk).completed_at
    assert completed_at is not None

    todo = Todo.objects.get(pk=todo.pk)
    todo.title = "Still done"
    todo_update(todo=todo, loaded_version=2, fields=["title", "done"], tag_names=[])
    assert Todo.objects.get(pk=todo.pk).completed_at == completed_at

    todo = Todo.objects.get(pk=todo.pk)
    todo.done = False
    todo_update(todo=todo, loaded_version=3, fields=["done"], tag_names=[])
    assert Todo.objects.get(pk=todo.pk).completed_at is None


def test_toggle_all_completes_the_given_todos_then_reopens_them(user):
    open_one = TodoFactory(owner=user)
    done_one = TodoFactory(owner=user, completed=True)
    before = timezone.now()

    assert todo_toggle_all(owner=user, todos=Todo.objects.for_user(user)) == (True, 1)
    open_one.refresh_from_db()
    assert open_one.done
    assert open_one.completed_at >= before
    assert open_one.version == 2
    assert open_one.updated_at >= before

    assert todo_toggle_all(owner=user, todos=Todo.objects.for_user(user)) == (False, 2)
    for todo in (open_one, done_one):
        todo.refresh_from_db()
        assert (todo.done, todo.completed_at) == (False, None)
    assert done_one.version == 2


def test_toggle_all_of_nothing_changes_nothing(user):
    todo = TodoFactory(owner=user)
    before = database_snapshot()
    assert todo_toggle_all(owner=user, todos=Todo.objects.none()) == (False, 0)
    assert database_snapshot() == before
    todo.refresh_from_db()
    assert not todo.done


def test_clear_completed_deletes_only_the_completed_given_todos(user):
    kept_open = TodoFactory(owner=user)
    kept_other_owner = TodoFactory(completed=True)
    tag = TagFactory(owner=user)
    TodoFactory(owner=user, completed=True, tags=[tag])
    TodoFactory(owner=user, completed=True)

    assert todo_clear_completed(owner=user, todos=Todo.objects.for_user(user)) == 2
    assert set(Todo.objects.all()) == {kept_open, kept_other_owner}
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_tag_rename_renames_when_the_name_is_free(user):
    tag = TagFactory(owner=user, name="wrk")
    TagFactory(name="work")  # another user's

    renamed, merged = tag_rename(tag=tag, name="work")

    assert (renamed.pk, renamed.name, merged) == (tag.pk, "work", False)
    assert Tag.objects.get(pk=tag.pk).name == "work"


def test_tag_rename_to_a_new_letter_case_is_a_rename(user):
    tag = TagFactory(owner=user, name="work")
    renamed, merged = tag_rename(tag=tag, name="Work")
    assert (renamed.pk, renamed.name, merged) == (tag.pk, "Work", False)


def test_tag_rename_onto_an_existing_name_merges_links_without_duplicates(user):
    old = TagFactory(owner=user, name="wrk")
    work = TagFactory(owner=user, name="Work")
    only_old = TodoFactory(owner=user, tags=[old])
    both = TodoFactory(owner=user, tags=[old, work])
    only_work = TodoFactory(owner=user, tags=[work])

    result, merged = tag_rename(tag=old, name="WORK")

    assert (result, merged) == (work, True)
    assert not Tag.objects.filter(pk=old.pk).exists()
    assert set(work.todos.all()) == {only_old, both, only_work}
    assert Todo.tags.through.objects.filter(tag=work).count() == 3
    assert Todo.objects.count() == 3


def test_tag_rename_never_merges_with_another_users_tag():
    tag = TagFactory(name="wrk")
    TodoFactory(owner=tag.owner, tags=[tag])
    theirs = TagFactory(owner=UserFactory(), name="work")
    TodoFactory(owner=theirs.owner, tags=[theirs])
    renamed, merged = tag_rename(tag=tag, name="work")
    assert not merged
    assert renamed.pk == tag.pk
    assert Tag.objects.get(pk=tag.pk).name == "work"
    assert Tag.objects.get(pk=theirs.pk).name == "work"
    assert Todo.tags.through.objects.filter(tag=tag).count() == 1
    assert Todo.tags.through.objects.filter(tag=theirs).count() == 1


def test_tag_rename_and_delete_mark_the_tags_todos_changed_and_no_others(user):
    work, home = TagFactory(owner=user, name="work"), TagFactory(owner=user, name="home")
    tagged, other = TodoFactory(owner=user, tags=[work]), TodoFactory(owner=user, tags=[home])
    tag_rename(tag=work, name="job")
    tagged.refresh_from_db()
    other.refresh_from_db()
    assert (tagged.version, other.version) == (2, 1)
    tag_delete(tags=Tag.objects.filter(pk=work.pk))
    tagged.refresh_from_db()
    assert tagged.version == 3
    assert list(tagged.tags.all()) == []
