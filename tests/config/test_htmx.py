from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from config.htmx import RELOADED_AFTER_A_SERVER_ERROR, RELOADED_BECAUSE
from tests.factories import TodoFactory
from tests.helpers import database_snapshot, messages_of
from tests.todos.conftest import HTMX

pytestmark = pytest.mark.django_db


def toggle_url(todo_id):
    return reverse("todos:toggle", args=[todo_id])


def test_a_failed_htmx_request_reloads_the_page(user_client, user):
    todo = TodoFactory(owner=user)
    url = toggle_url(todo.pk)
    todo.delete()  # in another tab
    response = user_client.post(url, {"done": "1"}, headers=HTMX)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["HX-Refresh"] == "true"


def test_a_plain_or_successful_request_is_left_alone(user_client, user):
    todo = TodoFactory(owner=user)
    assert "HX-Refresh" not in user_client.post(toggle_url(todo.pk + 1), {"done": "1"})
    assert "HX-Refresh" not in user_client.post(toggle_url(todo.pk), {"done": "1"}, headers=HTMX)


def test_a_signed_out_htmx_request_is_redirected_not_reloaded(client, user):
    todo = TodoFactory(owner=user)
    response = client.post(toggle_url(todo.pk), {"done": "1"}, headers=HTMX)
    assert response["HX-Redirect"].startswith(reverse("users:login"))
    assert "HX-Refresh" not in response


def test_the_page_reloaded_after_a_todo_deleted_elsewhere_says_so(user_client, user):
    todo = TodoFactory(owner=user)
    url = toggle_url(todo.pk)
    todo.delete()  # in another tab
    user_client.post(url, {"done": "1"}, headers=HTMX)
    reloaded = user_client.get(reverse("todos:list"))
    assert messages_of(reloaded) == [RELOADED_BECAUSE[HTTPStatus.NOT_FOUND]]


def test_the_page_reloaded_after_a_stale_token_says_so_and_nothing_changed(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    todo = TodoFactory(owner=user)
    client.get(reverse("todos:list"))  # the page, and its token; a new login then rotates it
    before = database_snapshot()
    response = client.post(
        toggle_url(todo.pk), {"done": "1"}, headers={**HTMX, "X-CSRFToken": "s" * 64}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response["HX-Refresh"] == "true"
    assert database_snapshot() == before
    reloaded = client.get(reverse("todos:list"))
    assert messages_of(reloaded) == [RELOADED_BECAUSE[HTTPStatus.FORBIDDEN]]


def test_the_page_reloaded_after_a_server_error_says_so(user, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    todo = TodoFactory(owner=user)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("todos.models.TodoQuerySet.set_done", broken)
    response = client.post(toggle_url(todo.pk), {"done": "1"}, headers=HTMX)
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response["HX-Refresh"] == "true"
    assert messages_of(client.get(reverse("todos:list"))) == [RELOADED_AFTER_A_SERVER_ERROR]


def test_a_plain_request_that_fails_gets_no_reload_message(user_client, user):
    todo = TodoFactory(owner=user)
    url = toggle_url(todo.pk)
    todo.delete()
    user_client.post(url, {"done": "1"})
    assert messages_of(user_client.get(reverse("todos:list"))) == []
