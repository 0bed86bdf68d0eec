import pytest

from tests.factories import TagFactory, TodoFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def todo(user):
    return TodoFactory(owner=user, title="Buy milk")


@pytest.fixture
def others_todo(other_user):
    return TodoFactory(owner=other_user, title="Not yours")


@pytest.fixture
def others_tag(other_user):
    return TagFactory(owner=other_user, name="secret")
