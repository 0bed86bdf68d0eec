"""Tag names beyond ASCII, found by the random input tests (a 500 on SQLite before the fix).

Tags were looked up with Python's str.lower() against SQL's LOWER(), which on SQLite folds
ASCII only: "Élan" was not found as "élan" but still collided with itself in the unique index.
"""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import TagFactory, TodoFactory
from todos.models import Tag

pytestmark = pytest.mark.django_db


def test_two_todos_tagged_with_the_same_accented_name_share_the_tag(user_client, user):
    for title in ("first", "second"):
        response = user_client.post(reverse("todos:create"), {"title": title, "tags": "Élan"})
        assert response.status_code == HTTPStatus.FOUND
    tag = Tag.objects.get(owner=user)
    assert tag.name == "Élan"
    assert sorted(tag.todos.values_list("title", flat=True)) == ["first", "second"]


def test_the_list_filters_by_an_accented_tag(user_client, user):
    TodoFactory(owner=user, title="tagged", tags=[TagFactory(owner=user, name="Élan")])
    TodoFactory(owner=user, title="untagged")
    response = user_client.get(reverse("todos:list"), {"tag": "Élan"})
    assert [todo.title for todo in response.context["todo_list"]] == ["tagged"]


def test_renaming_a_tag_to_an_accented_name_it_already_has_merges_them(user_client, user):
    accented = TagFactory(owner=user, name="Élan")
    other = TagFactory(owner=user, name="energy")
    TodoFactory(owner=user, tags=[other])
    response = user_client.post(reverse("todos:tag_update", args=[other.pk]), {"name": "Élan"})
    assert response.status_code == HTTPStatus.FOUND
    assert list(Tag.objects.filter(owner=user)) == [accented]
    assert accented.todos.count() == 1
