"""One owner's writes to several todos or tags, sent at once (two tabs, a double click without
JavaScript), run one after another (todos.services.lock_owners).

PostgreSQL only: there they ran side by side and deadlocked, or hit the unique index or a
deleted tag, a 500 each time. SQLite's requests write one at a time already (IMMEDIATE
transactions), as tests/users/test_signup.py shows for two sign-ups.
"""

import threading
import uuid
from functools import partial

import pytest
from django.db import connection, connections, transaction

from tests.factories import TagFactory, TodoFactory, UserFactory
from todos.models import Tag, Todo
from todos.services import (
    AccountGone,
    TodoChangedElsewhere,
    lock_owners,
    tag_delete,
    tag_rename,
    todo_clear_completed,
    todo_create,
    todo_toggle_all,
    todo_update,
    todos_delete,
    todos_set_done,
)
from users.models import User
from users.services import user_delete

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite's requests write one at a time"
    ),
]

ROUNDS = 12


def at_once(*calls):
    """Run `calls` in threads released together, each on its own connection; their errors."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # any error is the finding
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.fixture
def owner():
    """An owner with enough tagged todos that two bulk UPDATEs lock them in different orders."""
    user = UserFactory()
    tags = TagFactory.create_batch(4, owner=user)
    for index in range(240):
        TodoFactory(owner=user, tags=[tags[index % 4], tags[(index + 1) % 4]])
    return user


def test_toggle_all_beside_a_tag_rename_or_deletion_does_not_deadlock(owner):
    for round_ in range(ROUNDS):
        renamed, deleted = Tag.objects.for_user(owner).order_by("?")[:2]
        errors = at_once(
            partial(todo_toggle_all, owner=owner, todos=Todo.objects.for_user(owner)),
            partial(tag_rename, tag=renamed, name=f"renamed {round_}"),
            partial(tag_delete, tags=Tag.objects.filter(pk=deleted.pk)),
        )
        assert errors == []
        new_tag = TagFactory(owner=owner)
        new_tag.todos.set(Todo.objects.for_user(owner).order_by("?")[:120])


def test_two_renames_to_one_name_merge_instead_of_failing(owner):
    for round_ in range(ROUNDS):
        first, second = TagFactory.create_batch(2, owner=owner)
        first.todos.set(Todo.objects.for_user(owner)[:50])
        second.todos.set(Todo.objects.for_user(owner)[25:75])
        errors = at_once(
            partial(tag_rename, tag=first, name=f"same {round_}"),
            partial(tag_rename, tag=second, name=f"Same {round_}"),
        )
        assert errors == []
        (merged,) = Tag.objects.for_user(owner).filter(name__iexact=f"same {round_}")
        assert merged.todos.count() == 75


def test_a_todo_added_with_a_tag_being_deleted_does_not_fail(owner):
    for round_ in range(ROUNDS):
        doomed = TagFactory(owner=owner, name=f"doomed {round_}")
        doomed.todos.set(Todo.objects.for_user(owner)[:100])
        todo = Todo(owner=owner, title=f"Added {round_}")
        errors = at_once(
            partial(tag_delete, tags=Tag.objects.filter(pk=doomed.pk)),
            partial(todo_create, todo=todo, tag_names=[f"doomed {round_}"]),
        )
        assert errors == []
        # Deleted first, the tag is made again for the new todo; added first, the todo loses
        # it with the others.
        kept = Todo.objects.get(pk=todo.pk).tags.values_list("name", flat=True)
        assert list(kept) in ([], [doomed.name])
        assert not Tag.objects.filter(pk=doomed.pk).exists()


def test_a_todos_deletion_beside_its_tags_does_not_deadlock(owner):
    """The site deletes one todo, the admin a selection across owners: the same service."""
    others = [todo.pk for todo in TodoFactory.create_batch(5)]
    for _ in range(ROUNDS):
        tag = TagFactory(owner=owner)
        tag.todos.set(Todo.objects.for_user(owner)[:150])
        todo = tag.todos.order_by("?").first()
        errors = at_once(
            partial(todos_delete, todos=Todo.objects.filter(pk__in=[todo.pk, *others])),
            partial(tag_delete, tags=Tag.objects.filter(pk=tag.pk)),
        )
        assert errors == []
        assert not Todo.objects.filter(pk=todo.pk).exists()
        TodoFactory(owner=owner)


def test_the_admins_bulk_marks_beside_an_owners_toggle_all_do_not_deadlock(owner):
    """The admin's selection spans owners: it takes each of them, in id order, as the site
    takes one."""
    others = [todo.pk for todo in TodoFactory.create_batch(20)]
    selected_ids = [*Todo.objects.for_user(owner).values_list("pk", flat=True)[:200], *others]
    for round_ in range(ROUNDS):
        selected = Todo.objects.filter(pk__in=selected_ids)
        errors = at_once(
            partial(todos_set_done, todos=selected, done=round_ % 2 == 0),
            partial(todo_toggle_all, owner=owner, todos=Todo.objects.for_user(owner)),
        )
        assert errors == []


def test_an_account_deleted_beside_its_owners_writes_does_not_deadlock():
    """The account's row went last, after its todos: a write holding the row meanwhile waited
    for those todos while the deletion waited for the row. A write that comes after the
    deletion finds the account gone (AccountGone, which the views answer) and writes nothing."""
    for _ in range(ROUNDS):
        user = UserFactory()
        tags = TagFactory.create_batch(2, owner=user)
        for index in range(120):
            TodoFactory(owner=user, tags=[tags[index % 2]])
        errors = at_once(
            partial(user_delete, user=user),
            partial(todo_toggle_all, owner=user, todos=Todo.objects.for_user(user)),
            partial(tag_delete, tags=Tag.objects.filter(pk=tags[0].pk)),
        )
        assert [error for error in errors if not isinstance(error, AccountGone)] == []
        assert not Todo.objects.filter(owner_id=user.pk).exists()


def test_a_todo_added_beside_its_accounts_deletion_is_deleted_with_it_or_refused():
    """Added first, the todo goes with the account; added after, it finds the account gone.
    Without the check it was inserted for a deleted owner: a foreign key violation at commit."""
    for round_ in range(ROUNDS):
        user = UserFactory()
        # Each request loads its own copy of the user (deletion sets its copy's pk to None).
        adder = User.objects.get(pk=user.pk)
        errors = at_once(
            partial(user_delete, user=user),
            partial(todo_create, todo=Todo(owner=adder, title=f"Late {round_}"), tag_names=["x"]),
        )
        assert [error for error in errors if not isinstance(error, AccountGone)] == []
        assert not Todo.objects.filter(owner_id=adder.pk).exists()
        assert not Tag.objects.filter(owner_id=adder.pk).exists()


def test_a_form_sent_twice_at_once_adds_one_todo(owner):
    """A double click without JavaScript: two requests with the same key at the same moment."""
    for round_ in range(ROUNDS):
        key = uuid.uuid4()
        errors = at_once(
            *[
                partial(
                    todo_create,
                    todo=Todo(owner=owner, title=f"Twice {round_}", idempotency_key=key),
                    tag_names=["x"],
                )
                for _ in range(2)
            ]
        )
        assert errors == []
        assert Todo.objects.filter(idempotency_key=key).count() == 1


def test_the_lock_holds_other_bulk_writes_but_not_a_new_todo(owner):
    """Deterministic: while one transaction holds the owner, a bulk write waits for it and an
    insert (whose foreign key check shares the row) does not."""
    locked, release = threading.Event(), threading.Event()
    finished = []

    def hold():
        with transaction.atomic():
            lock_owners([owner.pk])
            locked.set()
            release.wait(timeout=10)
        connections.close_all()

    def clear():
        locked.wait(timeout=10)
        todo_clear_completed(owner=owner, todos=Todo.objects.for_user(owner))
        finished.append("clear")
        connections.close_all()

    def add():
        locked.wait(timeout=10)
        TodoFactory(owner=owner)
        finished.append("add")
        connections.close_all()

    threads = [threading.Thread(target=target) for target in (hold, clear, add)]
    for thread in threads:
        thread.start()
    locked.wait(timeout=10)
    threads[2].join(timeout=10)
    threads[1].join(timeout=0.5)
    assert finished == ["add"]  # the clear still waits
    release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert finished == ["add", "clear"]


def test_an_edit_beside_a_tag_rename_and_deletion_does_not_fail(owner):
    """The edit keeps the tag being deleted and the one being renamed: without the owner's
    lock it linked the todo to the deleted tag (a foreign key violation). With it, the edit
    saves, or finds the todo changed by the tag's change first (the form then says so)."""
    for round_ in range(ROUNDS):
        renamed, deleted = Tag.objects.for_user(owner).order_by("?")[:2]
        todo = Todo.objects.for_user(owner).order_by("?").first()
        todo.title = f"Edited {round_}"
        errors = at_once(
            partial(
                todo_update,
                todo=todo,
                loaded_version=todo.version,
                fields=["title"],
                tag_names=[renamed.name, deleted.name],
            ),
            partial(tag_rename, tag=renamed, name=f"renamed {round_}"),
            partial(tag_delete, tags=Tag.objects.filter(pk=deleted.pk)),
        )
        assert all(isinstance(error, TodoChangedElsewhere) for error in errors), errors
        if not errors:
            assert Todo.objects.get(pk=todo.pk).title == f"Edited {round_}"
        TagFactory(owner=owner).todos.set(Todo.objects.for_user(owner).order_by("?")[:120])
