from http import HTTPStatus

import pytest
from django.db.models.signals import post_delete
from django.urls import reverse

from tests.factories import TagFactory, TodoFactory
from tests.helpers import database_snapshot, messages_of
from tests.users.helpers import assert_field_error
from todos.models import Tag, Todo
from users.models import User
from users.services import DeletedAccount, user_delete

pytestmark = pytest.mark.django_db

DELETE_URL = reverse("users:delete")


@pytest.fixture
def users_data(user, other_user):
    """Todos and tags for `user` and for `other_user`, some of them tagged."""
    for owner in (user, other_user):
        tags = TagFactory.create_batch(2, owner=owner)
        TodoFactory.create_batch(2, owner=owner, tags=tags)
        TodoFactory(owner=owner, completed=True)


def test_page_says_what_will_be_deleted(user_client, users_data):
    response = user_client.get(DELETE_URL)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<strong>3 todos</strong>" in html
    assert "<strong>2 tags</strong>" in html
    assert '<label for="id_password">' in html


def test_page_is_never_served_from_a_cache(user_client):
    # Its counts change as todos do; after the deletion, Back must not show the account.
    parts = {part.strip() for part in user_client.get(DELETE_URL)["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= parts


def test_page_says_one_todo_in_the_singular(user_client, user):
    TodoFactory(owner=user)
    html = user_client.get(DELETE_URL).content.decode()
    assert "<strong>1 todo</strong>" in html
    assert "<strong>0 tags</strong>" in html


def test_deleting_removes_the_account_and_its_data_and_logs_out(
    user_client, user, other_user, password, users_data
):
    response = user_client.post(DELETE_URL, {"password": password})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("users:login")
    assert "_auth_user_id" not in user_client.session
    assert messages_of(response) == ["Your account was deleted, with 3 todos and 2 tags."]
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Todo.objects.filter(owner_id=user.pk).exists()
    assert not Tag.objects.filter(owner_id=user.pk).exists()
    assert not Todo.tags.through.objects.filter(todo__owner_id=user.pk).exists()


def test_other_users_are_untouched(user_client, other_user, password, users_data):
    theirs = [
        list(model.objects.filter(owner=other_user).order_by("pk").values())
        for model in (Todo, Tag)
    ]
    their_links = Todo.tags.through.objects.filter(todo__owner=other_user).count()

    user_client.post(DELETE_URL, {"password": password})

    assert User.objects.filter(pk=other_user.pk).exists()
    assert theirs == [
        list(model.objects.filter(owner=other_user).order_by("pk").values())
        for model in (Todo, Tag)
    ]
    assert Todo.tags.through.objects.filter(todo__owner=other_user).count() == their_links == 4


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        # A wrong password: tests/users/test_login.py (it counts as a failed login).
        ("", "This field is required."),
        ("pass\x00word", "Null characters are not allowed."),
    ],
)
def test_a_wrong_password_deletes_nothing(user_client, users_data, entered, message):
    before = database_snapshot()

    response = user_client.post(DELETE_URL, {"password": entered})

    assert_field_error(response, "password", message)
    assert database_snapshot() == before
    assert "_auth_user_id" in user_client.session


def test_service_returns_what_it_deleted(user, users_data):
    assert user_delete(user=user) == DeletedAccount(todos=3, tags=2)
    assert not User.objects.filter(username=user.username).exists()


def test_service_deletes_everything_or_nothing(user, users_data):
    before = database_snapshot()

    def fail_after_the_todos_went(sender, instance, **kwargs):
        raise RuntimeError("the database went away")

    post_delete.connect(fail_after_the_todos_went, sender=User)
    try:
        with pytest.raises(RuntimeError):
            user_delete(user=user)
    finally:
        post_delete.disconnect(fail_after_the_todos_went, sender=User)

    assert database_snapshot() == before
