from http import HTTPStatus

import pytest
from django.urls import reverse

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
        ("delete", "users:profile", "GET, POST, PUT, HEAD, OPTIONS"),
        ("delete", "users:delete", "GET, HEAD, OPTIONS, POST"),
        ("patch", "users:password_change", "GET, POST, PUT, HEAD, OPTIONS"),
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


def test_a_signed_out_visitor_gets_it_too(client):
    response = client.delete(reverse("users:signup"))
    assert_sites_405_page(response, "GET, POST, PUT, HEAD, OPTIONS")


def test_a_refused_htmx_request_still_reloads_the_page(admin_client):
    response = admin_client.delete(reverse("users:profile"), headers=HTMX)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["HX-Refresh"] == "true"


def test_a_view_that_answers_with_its_own_page_keeps_it(user_client):
    response = user_client.get(reverse("users:logout"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.templates[0].name == "registration/logout_form.html"
