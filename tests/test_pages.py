import re
from http import HTTPStatus

import pytest
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_sends_anonymous_visitors_to_login(client):
    response = client.get("/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("users:login")


def test_home_sends_signed_in_users_to_their_todos(user_client):
    response = user_client.get("/")
    assert response.url == reverse("todos:list")


def test_login_page_renders_with_the_stylesheet(client):
    response = client.get(reverse("users:login"))
    assert response.status_code == HTTPStatus.OK
    assert b"css/app.css" in response.content
    assert b'name="username"' in response.content


def test_login_with_the_right_password_goes_to_todos(client, user, password):
    response = client.post(
        reverse("users:login"), {"username": user.username, "password": password}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")


def test_login_with_a_wrong_password_shows_an_error(client, user):
    response = client.post(reverse("users:login"), {"username": user.username, "password": "no"})
    assert response.status_code == HTTPStatus.OK
    assert b"Please enter a correct username and password" in response.content


def test_logout_is_a_post(user_client):
    response = user_client.post(reverse("users:logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in user_client.session


def test_admin_index_opens_for_staff(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == HTTPStatus.OK
    for model in (b"Users", b"Todos", b"Tags"):
        assert model in response.content


@pytest.mark.parametrize(
    "name", ["admin:index", "admin:users_user_changelist", "admin:todos_todo_changelist"]
)
def test_admin_pages_name_the_sites_icon(admin_client, name):
    """Without it the browser asks for /favicon.ico: a 404 on every admin page."""
    response = admin_client.get(reverse(name))
    icon = f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">'
    assert icon in response.content.decode()
    assert "Django administration" in response.content.decode()  # Django's own page around it


@pytest.mark.parametrize(
    ("url_name", "my_todos", "profile"),
    [
        ("todos:list", "page", None),
        ("todos:create", "true", None),
        ("todos:tag_list", "true", None),
        ("users:profile", None, "page"),
        ("users:password_change", None, "true"),
    ],
)
def test_the_main_menu_marks_the_page_it_opens_and_its_part_of_the_site(
    user_client, url_name, my_todos, profile
):
    html = user_client.get(reverse(url_name)).content.decode()

    def current(link):
        found = re.search(rf'<a href="{reverse(link)}"(?: aria-current="(\w+)")?>', html)
        return found.group(1)

    assert (current("todos:list"), current("users:profile")) == (my_todos, profile)
