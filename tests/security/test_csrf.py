"""Every POST URL refuses a request without a valid CSRF token (403) and changes nothing."""

from dataclasses import dataclass, field
from http import HTTPStatus

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import DEFAULT_PASSWORD
from tests.helpers import database_snapshot
from tests.users.helpers import is_logged_in

from .helpers import NEW_PASSWORD, accepts_post, csrf_token, object_url, url_patterns

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class PostRoute:
    """A POST URL and a submission it accepts when the token is there."""

    name: str
    signed_in: bool = True
    data: dict = field(default_factory=dict)
    # Builds the URL (and may prepare the client, like a reset link opened first).
    url: object = None
    # The URL's object in the `owned` fixture.
    target: str | None = None

    def resolve(self, client, owned):
        if self.url:
            return self.url(client, owned)
        return object_url(self.name, self.target, vars(owned))

    def __str__(self):
        return self.name


def open_reset_link(client, owned):
    """Opens the emailed link, which moves the token into the session; the form posts there."""
    uid = urlsafe_base64_encode(force_bytes(owned.user.pk))
    token = default_token_generator.make_token(owned.user)
    response = client.get(reverse("users:password_reset_confirm", args=[uid, token]))
    assert response.status_code == HTTPStatus.FOUND
    return response.url


def staff_login(client, owned):
    owned.user.is_staff = True
    owned.user.save(update_fields=["is_staff"])
    return reverse("admin:login")


NEW_ACCOUNT = {
    "username": "newcomer",
    "email": "newcomer@example.com",
    "password1": NEW_PASSWORD,
    "password2": NEW_PASSWORD,
}

ROUTES = [
    PostRoute("users:signup", signed_in=False, data=NEW_ACCOUNT),
    PostRoute(
        "users:login", signed_in=False, data={"username": "owner", "password": DEFAULT_PASSWORD}
    ),
    PostRoute("users:logout"),
    PostRoute(
        "users:profile",
        data={
            "email": "changed@example.com",
            "current_password": DEFAULT_PASSWORD,
            "city": "Lyon",
            "default_status": "active",
            "default_sort": "title",
            "page_size": "50",
        },
    ),
    PostRoute("users:delete", data={"password": DEFAULT_PASSWORD}),
    PostRoute(
        "users:password_change",
        data={
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    PostRoute("users:password_reset", signed_in=False, data={"email": "owner@example.com"}),
    PostRoute(
        "users:password_reset_confirm",
        signed_in=False,
        data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        url=open_reset_link,
    ),
    PostRoute("todos:create", data={"title": "Planted by another site"}),
    PostRoute(
        "todos:update", target="todo", data={"title": "Changed", "priority": "3", "version": "1"}
    ),
    PostRoute("todos:delete", target="todo"),
    PostRoute("todos:toggle", target="todo", data={"done": "1"}),
    PostRoute("todos:toggle_all"),
    PostRoute("todos:clear_completed"),
    PostRoute("todos:tag_update", target="tag", data={"name": "renamed"}),
    PostRoute("todos:tag_delete", target="tag"),
    PostRoute(
        "admin:login",
        signed_in=False,
        data={"username": "owner", "password": DEFAULT_PASSWORD, "next": "/admin/"},
        url=staff_login,
    ),
]


@pytest.fixture
def csrf_client(owned):
    return Client(enforce_csrf_checks=True)


def submit(client, route, owned, *, token_from):
    """Posts the route's form as a browser would, with the token `token_from` gives (or none).

    Returns the response and whether anything changed: a row anywhere, or an email sent.
    """
    if route.signed_in:
        client.force_login(owned.user)
    token = token_from(client)
    url = route.resolve(client, owned)
    before = database_snapshot(), len(mail.outbox)
    data = route.data if token is None else {**route.data, "csrfmiddlewaretoken": token}
    response = client.post(url, data)
    return response, before != (database_snapshot(), len(mail.outbox))


def no_token(client):
    csrf_token(client)  # the browser holds the cookie; the other site cannot read it
    return None


def another_sessions_token(client):
    csrf_token(client)
    return csrf_token(Client(enforce_csrf_checks=True))


def test_every_post_url_of_the_app_is_in_the_table():
    routes = {name for name, view in url_patterns({"users", "todos"}).items() if accepts_post(view)}
    assert routes == {route.name for route in ROUTES if not route.name.startswith("admin:")}


@pytest.mark.parametrize(
    "token_from", [no_token, another_sessions_token], ids=["no-token", "another-sessions-token"]
)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_post_without_a_valid_token_is_refused_and_changes_nothing(
    csrf_client, owned, route, token_from
):
    response, changed = submit(csrf_client, route, owned, token_from=token_from)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not changed
    assert is_logged_in(csrf_client) == route.signed_in


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_the_same_post_with_the_token_of_its_form_is_accepted(csrf_client, owned, route):
    """The control: the refusal above is the missing token's doing, not bad data."""
    response, changed = submit(csrf_client, route, owned, token_from=csrf_token)
    assert response.status_code == HTTPStatus.FOUND
    assert changed
