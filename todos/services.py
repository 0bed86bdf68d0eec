"""Writes that span several rows or models. Plain single-row writes stay in forms and views."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Tag, Todo


class TodoChangedElsewhere(Exception):
    """The todo was saved by someone else since the form was loaded."""


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


@transaction.atomic
def todo_create(*, todo, tag_names):
    """Save a new `todo` (owner and fields set) with its tags, creating the missing tags."""
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
def todo_toggle_all(*, todos):
    """Mark all of `todos` done, or all of them not done when every one already is.

    Returns (done, count): the state they were put in and how many changed.
    """
    done = todos.active().exists()
    return done, todos.set_done(done)


@transaction.atomic
def todo_clear_completed(*, todos):
    """Delete the completed ones among `todos`; returns how many were deleted."""
    _, deleted = todos.completed().delete()
    return deleted.get(Todo._meta.label, 0)


@transaction.atomic
def tag_rename(*, tag, name):
    """Rename `tag`; when its owner has another tag called `name` (ignoring case), merge into it.

    Merging moves the todo links that the other tag lacks, drops the rest (the todo has both)
    and deletes `tag`. Returns (the resulting tag, whether it merged). Either way the todos of
    `tag` change (`TodoQuerySet.mark_changed`).
    """
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
    Todo.objects.filter(tags__in=tags).mark_changed()
    tags.delete()
