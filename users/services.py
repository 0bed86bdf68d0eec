"""Account writes that span several tables."""

from typing import NamedTuple

from django.db import transaction

from todos.models import Tag, Todo


class DeletedAccount(NamedTuple):
    todos: int
    tags: int


@transaction.atomic
def user_delete(*, user):
    """Delete `user` with all their todos and tags, all or nothing; return how many went."""
    _, deleted = user.delete()
    return DeletedAccount(
        todos=deleted.get(Todo._meta.label, 0), tags=deleted.get(Tag._meta.label, 0)
    )
