from types import SimpleNamespace

import pytest

from tests.factories import TagFactory, TodoFactory


@pytest.fixture
def owned(user):
    """`user` with an open todo carrying a tag, and a completed todo."""
    tag = TagFactory(owner=user, name="hobbies")
    return SimpleNamespace(
        user=user,
        tag=tag,
        todo=TodoFactory(owner=user, title="Buy milk", tags=[tag]),
        done=TodoFactory(owner=user, title="Post the letter", completed=True),
    )
