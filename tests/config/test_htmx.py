from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import TodoFactory
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
