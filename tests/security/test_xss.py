"""What users type is shown as text everywhere: pages, forms, messages and the admin.

Titles, descriptions, tag names, cities and usernames hold script payloads. Each page must show
the payload escaped (so it is on the page, as text), never raw, and must have no script, event
handler or javascript: link that the app did not write itself.
"""

from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.factories import TagFactory, TodoFactory, UserFactory
from tests.helpers import database_snapshot
from tests.todos.conftest import HTMX
from todos.models import Todo
from users.models import User

from .helpers import NEW_PASSWORD, object_url

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "poster", "data"}
# Browsers drop these anywhere in a URL ("java\tscript:" runs) and C0 controls or spaces
# before it.
IGNORED_IN_URL = str.maketrans("", "", "\t\n\r")
IGNORED_BEFORE_URL = "".join(map(chr, range(0x21)))


class Markup(HTMLParser):
    """The elements of a page, with their attributes as the browser would decode them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def assert_no_injected_markup(html):
    """No script but this site's files and JSON data, no event handler, no javascript: URL."""
    for tag, attrs in Markup(html).elements:
        attributes = dict(attrs)
        if tag == "script":
            src = attributes.get("src") or ""
            own_file = src.startswith("/") and not src.startswith(("//", "/\\"))
            assert own_file or attributes.get("type") == "application/json", attrs
        for name, value in attrs:
            assert not name.startswith("on"), (tag, attrs)
            if name in URL_ATTRIBUTES and value:
                scheme = value.translate(IGNORED_IN_URL).lstrip(IGNORED_BEFORE_URL).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:text/html")), (
                    tag,
                    attrs,
                )


def assert_shown_escaped(response, payload, *, expected=None):
    """`payload` is on the page as text (escaped), never as markup."""
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert escape(expected or payload) in html
    if escape(payload) != payload:
        assert payload not in html
    assert_no_injected_markup(html)


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute", "javascript-url"])
def payload(request):
    return request.param


@pytest.fixture
def hostile(payload):
    """A user whose username, city, todo title, description and tag name are all `payload`.

    The username cannot be signed up with (the username rules refuse it, see below); it stands
    for data that reached the database another way, such as an import.
    """
    user = UserFactory(username=payload, city=payload)
    tag = TagFactory(owner=user, name=payload)
    todo = TodoFactory(owner=user, title=payload, description=payload, tags=[tag])
    return user, todo, tag


@pytest.fixture
def hostile_client(client, hostile):
    client.force_login(hostile[0])
    return client


PAGES = [
    pytest.param("todos:list", None, {}, id="list"),
    pytest.param("todos:list", None, {"q": "{payload}"}, id="list-searched"),
    pytest.param("todos:list", None, {"tag": "{payload}"}, id="list-by-tag"),
    pytest.param(
        "todos:list",
        None,
        {"status": "{payload}", "sort": "{payload}", "page": "{payload}"},
        id="list-bad-options",
    ),
    pytest.param("todos:detail", "todo", {}, id="detail"),
    pytest.param("todos:update", "todo", {}, id="edit-form"),
    pytest.param("todos:delete", "todo", {}, id="delete-form"),
    pytest.param("todos:create", None, {"q": "{payload}"}, id="create-form"),
    pytest.param("todos:tag_list", None, {}, id="tags"),
    pytest.param("todos:tag_update", "tag", {}, id="tag-rename-form"),
    pytest.param("todos:tag_delete", "tag", {}, id="tag-delete-form"),
    pytest.param("users:profile", None, {}, id="profile"),
    pytest.param("users:delete", None, {}, id="account-delete-form"),
    pytest.param("users:password_change", None, {}, id="password-change-form"),
]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
@pytest.mark.parametrize(("name", "target", "query"), PAGES)
def test_the_apps_pages_show_the_payload_escaped(
    hostile_client, hostile, payload, name, target, query, headers
):
    _, todo, tag = hostile
    url = object_url(name, target, {"todo": todo, "tag": tag})
    query = {key: value.format(payload=payload) for key, value in query.items()}
    response = hostile_client.get(url, query, headers=headers)
    assert_shown_escaped(response, payload)


ADMIN_PAGES = [
    ("users_user", "changelist", None),
    ("users_user", "change", "user"),
    ("users_user", "delete", "user"),
    ("users_user", "history", "user"),
    ("todos_todo", "changelist", None),
    ("todos_todo", "change", "todo"),
    ("todos_todo", "delete", "todo"),
    ("todos_tag", "changelist", None),
    ("todos_tag", "change", "tag"),
    ("todos_tag", "delete", "tag"),
]


@pytest.mark.parametrize("search", [False, True], ids=["all", "searched"])
@pytest.mark.parametrize(
    ("model", "view", "target"), ADMIN_PAGES, ids=[f"{m}-{v}" for m, v, _ in ADMIN_PAGES]
)
def test_the_admin_shows_the_payload_escaped(
    admin_client, hostile, payload, model, view, target, search
):
    user, todo, tag = hostile
    url = object_url(f"admin:{model}_{view}", target, {"user": user, "todo": todo, "tag": tag})
    query = {"q": payload} if search else {}
    response = admin_client.get(url, query)
    assert_shown_escaped(response, payload)


@pytest.mark.parametrize(
    ("model", "target"), [("users_user", "user"), ("todos_todo", "todo"), ("todos_tag", "tag")]
)
def test_the_admins_deleted_message_shows_the_payload_escaped(
    admin_client, hostile, payload, model, target
):
    user, todo, tag = hostile
    url = object_url(f"admin:{model}_delete", target, {"user": user, "todo": todo, "tag": tag})
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert_shown_escaped(response, payload, expected=f"“{payload}” was deleted successfully.")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_added_message_shows_the_title_escaped(hostile_client, payload, headers):
    response = hostile_client.post(
        reverse("todos:create"), {"title": payload}, headers=headers, follow=True
    )
    assert_shown_escaped(response, payload, expected=f"Added “{payload}”.")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_toggled_and_deleted_messages_show_the_title_escaped(
    hostile_client, hostile, payload, headers
):
    _, todo, _ = hostile
    toggled = hostile_client.post(
        reverse("todos:toggle", args=[todo.pk]), {"done": "1"}, headers=headers, follow=True
    )
    assert_shown_escaped(toggled, payload, expected=f"Marked “{payload}” as done.")
    deleted = hostile_client.post(
        reverse("todos:delete", args=[todo.pk]), headers=headers, follow=True
    )
    assert_shown_escaped(deleted, payload, expected=f"Deleted “{payload}”.")


def test_the_saved_message_shows_the_title_escaped(hostile_client, hostile, payload):
    _, todo, _ = hostile
    data = {"title": f"{payload}!", "description": payload, "tags": payload, "version": "1"}
    response = hostile_client.post(reverse("todos:update", args=[todo.pk]), data, follow=True)
    assert_shown_escaped(response, payload, expected=f"Saved “{payload}!”.")


def test_tag_messages_show_the_names_escaped(hostile_client, hostile, payload):
    user, _, tag = hostile
    renamed = hostile_client.post(
        reverse("todos:tag_update", args=[tag.pk]), {"name": f"{payload}2"}, follow=True
    )
    assert_shown_escaped(renamed, payload, expected=f"Renamed “{payload}” to “{payload}2”.")
    other = TagFactory(owner=user, name=payload)
    merged = hostile_client.post(
        reverse("todos:tag_update", args=[other.pk]), {"name": f"{payload}2"}, follow=True
    )
    assert_shown_escaped(merged, payload, expected=f"Merged “{payload}” into “{payload}2”.")
    deleted = hostile_client.post(reverse("todos:tag_delete", args=[tag.pk]), follow=True)
    assert_shown_escaped(
        deleted, payload, expected=f"Deleted the tag “{payload}2”; its todos are kept."
    )


def test_refused_todo_input_is_shown_back_escaped(hostile_client, payload):
    too_long = {"title": payload * 30, "description": payload, "tags": payload * 5}
    before = database_snapshot()
    response = hostile_client.post(reverse("todos:create"), too_long)
    assert_shown_escaped(response, payload * 30)
    # The tag error quotes the start of the name.
    assert escape(f"“{(payload * 5)[:50]}…”") in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_refused_quick_add_is_shown_back_escaped(hostile_client, payload, headers):
    response = hostile_client.post(
        reverse("todos:create"), {"title": payload * 30}, headers=headers
    )
    assert_shown_escaped(response, payload * 30)
    assert not Todo.objects.filter(title__startswith=payload * 2).exists()


def test_signup_refuses_a_payload_username_and_shows_it_back_escaped(client, payload):
    data = {
        "username": payload,
        "email": "new@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "city": payload,
    }
    before = database_snapshot()
    response = client.post(reverse("users:signup"), data)
    assert "username" in response.context["form"].errors
    assert_shown_escaped(response, payload)
    assert database_snapshot() == before


def test_a_city_from_signup_is_shown_escaped_on_the_profile(client, payload):
    data = {
        "username": "newcomer",
        "email": "new@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "city": payload,
    }
    welcome = client.post(reverse("users:signup"), data, follow=True)
    assert "Welcome, newcomer! Your account is ready." in welcome.content.decode()
    assert User.objects.get(username="newcomer").city == payload
    assert_shown_escaped(client.get(reverse("users:profile")), payload)


def test_a_refused_profile_shows_the_input_back_escaped(hostile_client, payload):
    data = {"email": payload, "city": payload * 10, "age": payload, "page_size": payload}
    before = database_snapshot()
    response = hostile_client.post(reverse("users:profile"), data)
    assert response.context["form"].errors
    assert_shown_escaped(response, payload * 10)
    assert database_snapshot() == before


@pytest.mark.parametrize("name", ["users:login", "admin:login"])
def test_a_failed_login_shows_the_username_back_escaped(client, payload, name):
    response = client.post(reverse(name), {"username": payload, "password": "wrong"})
    assert_shown_escaped(response, payload)


def test_a_refused_reset_request_shows_the_address_back_escaped(client, payload):
    response = client.post(reverse("users:password_reset"), {"email": payload})
    assert_shown_escaped(response, payload)
