"""`next` is followed only when it stays on this site: login and logout, site and admin."""

from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Each is taken by some browser as another site: the scheme-relative, backslash, scheme-only,
# tab-inside and credentials forms are how open-redirect checks are usually slipped past.
OUTSIDE = [
    "https://evil.example",
    "https://evil.example/todos/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "https:/evil.example",
    "/\t/evil.example",
    "https://127.0.0.1@evil.example",
    "https://evil.example\\@127.0.0.1",
    " //evil.example",
    "javascript:alert(1)",
]

SITE_LOGIN = reverse("users:login")
ADMIN_LOGIN = reverse("admin:login")
SITE_LOGOUT = reverse("users:logout")
ADMIN_LOGOUT = reverse("admin:logout")


def with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}"


def log_in(client, url, user, password, next_url, *, in_query=False):
    data = {"username": user.username, "password": password}
    if in_query:
        return client.post(with_next(url, next_url), data)
    return client.post(url, {**data, "next": next_url})


@pytest.mark.parametrize("in_query", [False, True], ids=["form", "query"])
@pytest.mark.parametrize("next_url", OUTSIDE)
@pytest.mark.parametrize(
    ("login_url", "landing"),
    [(SITE_LOGIN, reverse("todos:list")), (ADMIN_LOGIN, reverse("todos:list"))],
    ids=["site", "admin"],
)
def test_login_ignores_an_outside_next(
    client, staff, password, login_url, landing, next_url, in_query
):
    response = log_in(client, login_url, staff, password, next_url, in_query=in_query)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == landing
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_a_signed_in_visit_to_the_login_page_ignores_an_outside_next(user_client, next_url):
    response = user_client.get(SITE_LOGIN, {"next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_the_login_form_does_not_carry_an_outside_next(client, next_url):
    # The admin's form posts back to its own URL, query string included: its POST check is
    # what keeps it safe (above).
    response = client.get(SITE_LOGIN, {"next": next_url})
    assert response.status_code == HTTPStatus.OK
    assert response.context["next"] == ""
    assert '<input type="hidden" name="next" value="">' in response.content.decode()


@pytest.mark.parametrize("in_query", [False, True], ids=["form", "query"])
@pytest.mark.parametrize("next_url", OUTSIDE)
@pytest.mark.parametrize("logout_url", [SITE_LOGOUT, ADMIN_LOGOUT], ids=["site", "admin"])
def test_logout_ignores_an_outside_next(client, staff, logout_url, next_url, in_query):
    client.force_login(staff)
    if in_query:
        response = client.post(with_next(logout_url, next_url))
    else:
        response = client.post(logout_url, {"next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == SITE_LOGIN
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("url", "signed_in"),
    [(SITE_LOGIN, False), (ADMIN_LOGIN, False), (SITE_LOGOUT, True), (ADMIN_LOGOUT, True)],
)
def test_a_next_on_this_site_is_followed(client, staff, password, url, signed_in):
    """The control: the refusals above are about the address, not `next` being ignored."""
    if signed_in:
        client.force_login(staff)
        response = client.post(url, {"next": "/accounts/profile/"})
    else:
        response = log_in(client, url, staff, password, "/accounts/profile/")
    assert response.url == "/accounts/profile/"
