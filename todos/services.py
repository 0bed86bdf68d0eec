"""Writes that span several rows or models. Plain single-row writes stay in forms and views."""

from itertools import islice

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import capfirst

from .models import Tag, Todo


class TodoChangedElsewhere(Exception):
    """The todo was saved by someone else since the form was loaded."""


def lock_owners(owner_ids):
    """Take the owners' rows for the rest of the transaction, in id order: one owner's writes
    to several todos or tags then run one after another. Returns the ids of those still there.

    Run at once on PostgreSQL, they deadlocked (each UPDATE or DELETE locks the same todos and
    links in the order its plan reads them: toggle-all against a tag's rename or deletion, a
    todo's deletion against its tag's) or hit the unique index
    or a deleted tag (two renames to one name, a todo added with a tag being deleted): a 500
    either way. FOR NO KEY UPDATE leaves other inserts alone (a foreign key check takes KEY
    SHARE). SQLite needs none of it: its requests already write one at a time (IMMEDIATE).
    """
    owners = get_user_model().objects.select_for_update(no_key=True)
    return set(owners.filter(pk__in=owner_ids).order_by("pk").values_list("pk", flat=True))


class AccountGone(Exception):
    """The account was deleted (in another tab, by staff) while a request for it was running."""


def lock_owner(owner_id):
    """Take one owner's row as `lock_owners` does; raise AccountGone if it is no longer there.

    A write for an account deleted meanwhile would otherwise fail at its commit on the
    foreign key (a 500), or, for the account's own row, insert it again: Django's save
    inserts a row its UPDATE did not find, and a profile saved in one tab brought back the
    account just deleted in another.
    """
    if not lock_owners([owner_id]):
        raise AccountGone


@transaction.atomic
def tags_get_or_create(*, owner, names):
    """`owner`'s tags called `names` (ignoring letter case), creating the missing ones.

    Existing tags keep their spelling. A tag created at the same moment by another request
    is picked up rather than duplicated (the unique index settles the race).
    """
    if not names:
        return []
    tags = {tag.name.lower(): tag for tag in Tag.objects.for_user(owner).named_any(names)}
    for name in names:
        if name.lower() in tags:
            continue
        try:
            with transaction.atomic():
                tags[name.lower()] = Tag.objects.create(owner=owner, name=name)
        except IntegrityError:
            tags[name.lower()] = Tag.objects.for_user(owner).named(name).get()
    return [tags[name.lower()] for name in names]


# What the form that adds a todo sets, besides its tags.
ADDED_FIELDS = ("title", "description", "due_date", "priority")


@transaction.atomic
def todo_create(*, todo, tag_names):
    """Save a new `todo` (owner and fields set) with its tags, creating the missing tags.

    A todo whose `idempotency_key` the owner already has on another is its form sent again:
    holding the same (a double click), that todo is returned and nothing is added; with
    anything changed (the form's page kept, edited and sent again) the new one is added,
    without the key. Under the owner's lock the second of two at once finds the first's todo.
    """
    lock_owner(todo.owner_id)
    if todo.idempotency_key is not None:
        sent = Todo.objects.filter(owner_id=todo.owner_id, idempotency_key=todo.idempotency_key)
        if (added := sent.first()) is not None:
            values = {name: getattr(todo, name) for name in ADDED_FIELDS}
            if added.holds(values, tag_names):
                return added
            todo.idempotency_key = None
    todo.save()
    todo.tags.set(tags_get_or_create(owner=todo.owner, names=tag_names))
    return todo


@transaction.atomic
def todo_update(*, todo, loaded_version, fields, tag_names):
    """Save `fields` of `todo` and its tags, unless it changed since `loaded_version`.

    The version check is part of the UPDATE (`WHERE version = loaded_version`), so two saves
    racing from the same version cannot both win. Raises TodoChangedElsewhere, writing
    nothing, when the todo is no longer at `loaded_version`.
    """
    lock_owner(todo.owner_id)
    now = timezone.now()
    values = {name: getattr(todo, name) for name in fields}
    if "done" in fields:
        values["completed_at"] = (todo.completed_at or now) if todo.done else None
    updated = Todo.objects.filter(pk=todo.pk, version=loaded_version).update_with_new_version(
        now, **values
    )
    if not updated:
        raise TodoChangedElsewhere
    todo.tags.set(tags_get_or_create(owner=todo.owner, names=tag_names))
    todo.refresh_from_db()
    return todo


@transaction.atomic
def todo_toggle_all(*, owner, todos, done=None):
    """Mark all of `owner`'s `todos` done (`done` True) or not done (False). With `done` None:
    done, or not done when every one already is.

    Returns (done, count): the state they were put in and how many changed.
    """
    lock_owner(owner.pk)
    if done is None:
        done = todos.active().exists()
    return done, todos.set_done(done)


@transaction.atomic
def todos_set_done(*, todos, done, logged_by=None):
    """Mark `todos`, of any owners (the admin's selection), done or not done; how many changed.

    With `logged_by` (a staff user), each todo that changes gets an entry in the admin's
    history, as a save of its change form writes: "Changed Done."
    """
    lock_owners(todos.values("owner_id"))
    if logged_by is not None:
        # The site's toggle of one todo takes no owner's lock: one landing between this read
        # and the UPDATE would be changed unlogged, or logged unchanged. Accepted: the history
        # is staff's record of their actions, and the window is one statement long.
        _log_done_changed(user=logged_by, todos=todos.exclude(done=done))
    return todos.set_done(done)


# Entries written per INSERT: a selection across every page may hold a million todos.
LOG_BATCH_SIZE = 2_000


def _log_done_changed(*, user, todos):
    message = [{"changed": {"fields": [capfirst(Todo._meta.get_field("done").verbose_name)]}}]
    # The admin's queryset brings the owners and each todo's tags: the entries need the title.
    titles = todos.select_related(None).prefetch_related(None).only("title").order_by("pk")
    rows = titles.iterator(chunk_size=LOG_BATCH_SIZE)
    while batch := list(islice(rows, LOG_BATCH_SIZE)):
        LogEntry.objects.log_actions(user.pk, batch, CHANGE, change_message=message)


@transaction.atomic
def todos_delete(*, todos):
    """Delete `todos` (a queryset, of any owners: the admin's selection); their tags stay."""
    lock_owners(todos.values("owner_id"))
    todos.delete()


@transaction.atomic
def todo_clear_completed(*, owner, todos):
    """Delete the completed ones among `owner`'s `todos`; returns how many were deleted."""
    lock_owner(owner.pk)
    _, deleted = todos.completed().delete()
    return deleted.get(Todo._meta.label, 0)


@transaction.atomic
def tag_rename(*, tag, name):
    """Rename `tag`; when its owner has another tag called `name` (ignoring case), merge into it.

    Merging moves the todo links that the other tag lacks, drops the rest (the todo has both)
    and deletes `tag`. Returns (the resulting tag, whether it merged). Either way the todos of
    `tag` change (`TodoQuerySet.mark_changed`).
    """
    lock_owner(tag.owner_id)
    other = Tag.objects.for_user(tag.owner).named(name).exclude(pk=tag.pk).first()
    Todo.objects.filter(tags=tag).mark_changed()
    if other is None:
        tag.name = name
        tag.save(update_fields=["name"])
        return tag, False
    links = Todo.tags.through.objects
    links.filter(tag=tag).exclude(todo__in=links.filter(tag=other).values("todo")).update(tag=other)
    tag.delete()
    return other, True


@transaction.atomic
def tag_delete(*, tags):
    """Delete `tags` (a queryset); their todos stay, without them, and change."""
    lock_owners(tags.values("owner_id"))
    Todo.objects.filter(tags__in=tags).mark_changed()
    tags.delete()
