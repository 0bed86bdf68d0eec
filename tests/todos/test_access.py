"""Only the owner reaches a todo or tag: everyone else gets 404 on every URL and method."""

import re
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.factories import TagFactory, TodoFactory
from tests.helpers import database_snapshot, messages_of
from tests.todos.conftest import HTMX
from todos.models import Todo

pytestmark = pytest.mark.django_db

TODO_URLS = ["detail", "update", "delete", "toggle"]
TAG_URLS = ["tag_update", "tag_delete"]
ALL_URLS = [
    ("list", False),
    ("create", False),
    ("toggle_all", False),
    ("clear_completed", False),
    ("tag_list", False),
    *[(name, True) for name in TODO_URLS + TAG_URLS],
]

POST_ONLY_URLS = {"toggle", "toggle_all", "clear_completed"}
POST_DATA = {"title": "Taken over", "name": "taken", "version": "1", "done": "1"}


def object_of(theirs, name):
    """The object whose URL `name` takes: a tag for the tag URLs, a todo for the others."""
    return theirs["tag" if name in TAG_URLS else "todo"]


def request(client, method, url, headers=None):
    if method == "post":
        return client.post(url, POST_DATA, headers=headers)
    return client.get(url, headers=headers)


@pytest.fixture
def theirs(other_user):
    tag = TagFactory(owner=other_user, name="secret")
    todo = TodoFactory(owner=other_user, title="Not yours", tags=[tag])
    TodoFactory(owner=other_user, completed=True)
    return {"todo": todo, "tag": tag}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", TODO_URLS + TAG_URLS)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_another_users_object_is_404_on_every_url_and_method(
    user_client, theirs, name, method, headers
):
    before = database_snapshot()
    url = reverse(f"todos:{name}", args=[object_of(theirs, name).pk])
    response = request(user_client, method, url, headers)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert database_snapshot() == before


@pytest.mark.parametrize("name", TODO_URLS + TAG_URLS)
def test_a_deleted_object_and_another_users_get_the_same_404_page(user_client, user, theirs, name):
    mine = (TagFactory if name in TAG_URLS else TodoFactory)(owner=user)
    deleted_url = reverse(f"todos:{name}", args=[mine.pk])
    mine.delete()  # in another tab
    theirs_url = reverse(f"todos:{name}", args=[object_of(theirs, name).pk])
    kind, back = (
        ("Tag", "Back to your tags") if name in TAG_URLS else ("Todo", "Back to your todos")
    )

    pages = [user_client.post(url, POST_DATA).content.decode() for url in (deleted_url, theirs_url)]

    cards = [
        re.search(r'<section class="card narrow error-page">.*?</section>', page, re.S)[0]
        for page in pages
    ]
    assert f"<h1>{kind} not found</h1>" in cards[0]
    # What a screen reader announces first says the same.
    assert all(f"<title>{kind} not found · Todos</title>" in page for page in pages)
    assert "What you sent was not saved." in cards[0]
    assert back in cards[0]
    assert cards[0] == cards[1]


def test_an_address_that_names_nothing_gets_the_plain_404_page(user_client):
    content = user_client.get("/todos/no-such-page/").content.decode()
    assert "<title>Page not found · Todos</title>" in content
    assert "<h1>Page not found</h1>" in content
    assert "What you sent" not in content


@pytest.mark.parametrize("name", ["toggle_all", "clear_completed"])
def test_bulk_actions_never_touch_another_users_todos(user_client, theirs, name):
    before = database_snapshot()
    user_client.post(reverse(f"todos:{name}"))
    user_client.post(reverse(f"todos:{name}") + "?q=yours&tag=secret")
    assert database_snapshot() == before


def test_my_pages_do_not_show_another_users_todos_or_tags(user_client, theirs):
    for name in ("list", "tag_list"):
        content = user_client.get(reverse(f"todos:{name}")).content
        assert b"Not yours" not in content
        assert b"secret" not in content


def test_creating_with_another_users_tag_name_makes_my_own_tag(user_client, user, theirs):
    user_client.post(reverse("todos:create"), {"title": "mine", "tags": "SECRET"})
    tag = Todo.objects.get(title="mine").tags.get()
    assert tag.owner == user
    assert tag != theirs["tag"]


def login_url(next_url):
    return f"{reverse('users:login')}?{urlencode({'next': next_url}, safe='/')}"


def page_after_login(name, method, url):
    """Where the login sends the visitor back: the page, or the one an action was posted from."""
    if method == "get" and name not in POST_ONLY_URLS:
        return url
    if name in TAG_URLS or name == "tag_list":
        return reverse("todos:tag_list")
    return reverse("todos:list") + "?status=active&q=milk"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "needs_pk"), ALL_URLS)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_anonymous_visitors_are_sent_to_log_in_and_back_to_a_page(
    client, theirs, name, needs_pk, method, headers
):
    before = database_snapshot()
    path = reverse(f"todos:{name}", args=[object_of(theirs, name).pk] if needs_pk else [])
    url = f"{path}?status=active&q=milk"
    response = request(client, method, url, headers)
    expected = login_url(page_after_login(name, method, url))
    if headers:
        # htmx loads the login page as a whole page, not inside the list.
        assert response.status_code == HTTPStatus.OK
        assert response["HX-Redirect"] == expected
    else:
        assert response.status_code == HTTPStatus.FOUND
        assert response.url == expected
    assert database_snapshot() == before


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_an_action_sent_after_the_session_ended_says_so_on_the_login_page(client, theirs, headers):
    url = reverse("todos:toggle", args=[theirs["todo"].pk])
    response = request(client, "post", url, headers)
    login_page = client.get(response["HX-Redirect"] if headers else response.url)
    assert messages_of(login_page) == [
        "You were logged out, so that was not saved. Log in to go on."
    ]


def test_a_page_opened_signed_out_gets_no_such_message(client):
    login_page = client.get(reverse("todos:list"), follow=True)
    assert messages_of(login_page) == []
