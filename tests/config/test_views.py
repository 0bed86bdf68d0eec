from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import TagFactory, TodoFactory
from tests.todos.conftest import HTMX

pytestmark = pytest.mark.django_db


def assert_sites_405_page(response, allow):
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == allow
    assert "405.html" in [template.name for template in response.templates]
    assert "<h1>Not opened this way</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("method", "name", "allow"),
    [
        ("delete", "users:profile", "GET, HEAD, OPTIONS, POST"),
        ("delete", "users:delete", "GET, HEAD, OPTIONS, POST"),
        ("patch", "users:password_change", "GET, HEAD, OPTIONS, POST"),
        ("get", "admin:logout", "POST, OPTIONS"),
    ],
)
def test_any_view_that_refuses_a_method_answers_with_the_sites_page(
    admin_client, method, name, allow
):
    response = getattr(admin_client, method)(reverse(name))
    assert_sites_405_page(response, allow)
    # The page is the site's, signed in: its header offers the logout button.
    assert f'action="{reverse("users:logout")}"' in response.content.decode()


SIGNED_IN_FORM_PAGES = {
    "new todo": lambda user: reverse("todos:create"),
    "todo edit": lambda user: reverse("todos:update", args=[TodoFactory(owner=user).pk]),
    "tag rename": lambda user: reverse("todos:tag_update", args=[TagFactory(owner=user).pk]),
    "profile": lambda user: reverse("users:profile"),
    "password change": lambda user: reverse("users:password_change"),
    "account deletion": lambda user: reverse("users:delete"),
}


@pytest.mark.parametrize("url_for", SIGNED_IN_FORM_PAGES.values(), ids=SIGNED_IN_FORM_PAGES.keys())
def test_a_form_page_refuses_put_as_it_refuses_patch(user_client, user, url_for):
    # Django's form views took PUT as a POST without data: a page of "This field is required".
    assert_sites_405_page(user_client.put(url_for(user)), "GET, HEAD, OPTIONS, POST")


@pytest.mark.parametrize("name", ["users:signup", "users:login", "users:password_reset"])
def test_a_form_page_refuses_put_to_a_signed_out_visitor_too(client, name):
    assert_sites_405_page(client.put(reverse(name)), "GET, HEAD, OPTIONS, POST")


def test_a_signed_out_visitor_gets_it_too(client):
    response = client.delete(reverse("users:signup"))
    assert_sites_405_page(response, "GET, HEAD, OPTIONS, POST")


def test_a_refused_htmx_request_still_reloads_the_page(admin_client):
    response = admin_client.delete(reverse("users:profile"), headers=HTMX)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["HX-Refresh"] == "true"


def test_a_view_that_answers_with_its_own_page_keeps_it(user_client):
    response = user_client.get(reverse("users:logout"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.templates[0].name == "registration/logout_form.html"
