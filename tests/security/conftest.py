from types import SimpleNamespace

import pytest

from tests.factories import TagFactory, TodoFactory


@pytest.fixture
def owned(user):
    """`user`, as "owner", with an open todo carrying a tag, and a completed todo.

    The name, address and city are fixed so that forms can be filled in with them and pages
    checked for them; the password is the factories' DEFAULT_PASSWORD.
    """
    user.username = "owner"
    user.email = "owner@example.com"
    user.city = "Springfield"
    user.save()
    tag = TagFactory(owner=user, name="hobbies")
    return SimpleNamespace(
        user=user,
        tag=tag,
        todo=TodoFactory(owner=user, title="Buy milk", tags=[tag]),
        done=TodoFactory(owner=user, title="Post the letter", completed=True),
    )
