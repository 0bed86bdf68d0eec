import pytest

from tests.factories import TodoFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def todo(user):
    return TodoFactory(owner=user, title="Buy milk")
