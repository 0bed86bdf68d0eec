"""Who may do what, for every todo, tag and account URL and both methods, from one table.

Anonymous visitors are sent to log in (with `next`), another user gets a 404 for an object
URL and changes nothing of the owner's anywhere, and the owner's request works.
"""

from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, TodoFactory
from tests.helpers import database_snapshot
from todos.models import Tag, Todo
from users.models import User

from .helpers import NEW_PASSWORD, object_url, url_patterns

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Access:
    """One URL and method, and what the owner's request does."""

    name: str
    method: str
    status: HTTPStatus
    # The URL's object in the `owned` fixture, if it has one.
    target: str | None = None
    data: dict = field(default_factory=dict)
    # For a page: text of the owner's that it shows. For a POST that works: its effect.
    shows: str = ""
    effect: object = None

    def url(self, owned):
        return object_url(self.name, self.target, vars(owned))

    def request(self, client, owned):
        if self.method == "post":
            return client.post(self.url(owned), self.data)
        return client.get(self.url(owned))

    def __str__(self):
        return f"{self.name}-{self.method}"


def page(name, target=None, shows=""):
    return Access(name, "get", HTTPStatus.OK, target, shows=shows)


def not_allowed(name, method, target=None):
    return Access(name, method, HTTPStatus.METHOD_NOT_ALLOWED, target)


def action(name, effect, target=None, /, **data):
    return Access(name, "post", HTTPStatus.FOUND, target, data, effect=effect)


def refreshed(instance):
    instance.refresh_from_db()
    return instance


MATRIX = [
    page("todos:list", shows="Buy milk"),
    not_allowed("todos:list", "post"),
    page("todos:create"),
    action(
        "todos:create",
        lambda o: o.user.todos.filter(title="Written by the owner").exists(),
        title="Written by the owner",
    ),
    not_allowed("todos:toggle_all", "get"),
    action("todos:toggle_all", lambda o: not o.user.todos.filter(done=False).exists()),
    not_allowed("todos:clear_completed", "get"),
    action("todos:clear_completed", lambda o: not o.user.todos.filter(done=True).exists()),
    page("todos:detail", "todo", shows="Buy milk"),
    not_allowed("todos:detail", "post", "todo"),
    page("todos:update", "todo", shows="Buy milk"),
    action(
        "todos:update",
        lambda o: refreshed(o.todo).title == "Bought milk",
        "todo",
        title="Bought milk",
        version="1",
    ),
    page("todos:delete", "todo", shows="Buy milk"),
    action("todos:delete", lambda o: not Todo.objects.filter(pk=o.todo.pk).exists(), "todo"),
    not_allowed("todos:toggle", "get", "todo"),
    action("todos:toggle", lambda o: refreshed(o.todo).done, "todo", done="1"),
    page("todos:tag_list", shows="hobbies"),
    not_allowed("todos:tag_list", "post"),
    page("todos:tag_update", "tag", shows="hobbies"),
    action("todos:tag_update", lambda o: refreshed(o.tag).name == "chores", "tag", name="chores"),
    page("todos:tag_delete", "tag", shows="hobbies"),
    action("todos:tag_delete", lambda o: not Tag.objects.filter(pk=o.tag.pk).exists(), "tag"),
    page("users:profile", shows="Springfield"),
    action(
        "users:profile",
        lambda o: refreshed(o.user).city == "Shelbyville",
        email="owner@example.com",
        city="Shelbyville",
        default_status="all",
        default_sort="-created",
        page_size="25",
    ),
    page("users:delete", shows="the account <strong>owner</strong>"),
    action(
        "users:delete",
        lambda o: not User.objects.filter(pk=o.user.pk).exists(),
        password=DEFAULT_PASSWORD,
    ),
    page("users:password_change"),
    action(
        "users:password_change",
        lambda o: refreshed(o.user).check_password(NEW_PASSWORD),
        old_password=DEFAULT_PASSWORD,
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD,
    ),
]

# Pages for everyone: signing up and in, out (POST only) and resetting a forgotten password.
PUBLIC = {
    "users:signup": HTTPStatus.OK,
    "users:login": HTTPStatus.OK,
    "users:logout": HTTPStatus.METHOD_NOT_ALLOWED,
    "users:password_reset": HTTPStatus.OK,
    "users:password_reset_done": HTTPStatus.OK,
    "users:password_reset_confirm": HTTPStatus.OK,
    "users:password_reset_complete": HTTPStatus.OK,
}


def owners_rows(owner_pk):
    """The owner's account, todos, tags and their links; someone else must change none of it."""
    return (
        list(User.objects.filter(pk=owner_pk).values()),
        list(Todo.objects.filter(owner=owner_pk).order_by("pk").values()),
        list(Tag.objects.filter(owner=owner_pk).order_by("pk").values()),
        list(Todo.tags.through.objects.filter(todo__owner=owner_pk).order_by("pk").values()),
    )


def test_every_todo_tag_and_account_url_is_in_the_matrix_or_public():
    protected = {access.name for access in MATRIX}
    assert protected.isdisjoint(PUBLIC)
    assert set(url_patterns({"users", "todos"})) == protected | set(PUBLIC)


def test_the_matrix_has_both_methods_of_every_protected_url():
    pairs = {(access.name, access.method) for access in MATRIX}
    assert len(pairs) == len(MATRIX)
    assert pairs == {(access.name, method) for access in MATRIX for method in ("get", "post")}


@pytest.mark.parametrize(("name", "status"), PUBLIC.items())
def test_public_pages_open_without_logging_in(client, name, status):
    args = ["MQ", "set-password"] if name == "users:password_reset_confirm" else []
    assert client.get(reverse(name, args=args)).status_code == status


@pytest.mark.parametrize("access", MATRIX, ids=str)
def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(client, owned, access):
    before = database_snapshot()
    response = access.request(client, owned)
    assert response.status_code == HTTPStatus.FOUND
    login, _, query = response.url.partition("?")
    assert login == reverse("users:login")
    assert database_snapshot() == before
    # After logging in, the browser GETs `next`: the page itself, or after a POST or for an
    # action that answers POST only, a page to go on from.
    (next_url,) = parse_qs(query)["next"]
    if access.method == "get" and access.status != HTTPStatus.METHOD_NOT_ALLOWED:
        assert next_url == access.url(owned)
    client.force_login(owned.user)
    assert client.get(next_url).status_code == HTTPStatus.OK


@pytest.mark.parametrize("access", MATRIX, ids=str)
def test_another_user_changes_and_sees_nothing_of_the_owners(client, owned, other_user, access):
    TodoFactory(owner=other_user, title="Their own todo", completed=True)
    client.force_login(other_user)
    before_all, before_owners = database_snapshot(), owners_rows(owned.user.pk)

    response = access.request(client, owned)

    assert owners_rows(owned.user.pk) == before_owners
    content = response.content.decode()
    assert "Buy milk" not in content
    assert "hobbies" not in content
    if access.target:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert database_snapshot() == before_all


@pytest.mark.parametrize("access", MATRIX, ids=str)
def test_the_owners_request_works(client, owned, access):
    client.force_login(owned.user)
    before = database_snapshot()

    response = access.request(client, owned)

    assert response.status_code == access.status
    if access.effect:
        assert access.effect(owned)
    else:
        assert database_snapshot() == before
    if access.shows:
        assert access.shows in response.content.decode()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "access", [access for access in MATRIX if access.method == "get"], ids=lambda a: a.name
)
def test_no_other_method_changes_anything_for_the_owner(client, owned, access, method):
    """Django's DeleteView also answers DELETE by deleting at once, past its form: the password
    of the account deletion, the todos' version bump of a tag deletion. Its form views take PUT
    as POST, with no data (Django reads form data from POST requests only)."""
    client.force_login(owned.user)
    before = database_snapshot()

    response = getattr(client, method)(access.url(owned))

    assert database_snapshot() == before
    if method == "delete":
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
