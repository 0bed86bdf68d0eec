"""`next` is followed only when it stays on this site: login and logout, site and admin."""

from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.users.helpers import is_logged_in, log_in

pytestmark = pytest.mark.django_db

# Each is taken by some browser as another site: the scheme-relative, backslash, scheme-only,
# tab-inside and credentials forms are how open-redirect checks are usually slipped past.
OUTSIDE = [
    "https://evil.example",
    "https://evil.example/todos/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/todos/",
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
LANDING = reverse("todos:list")

# The admin's door is for staff only; the site's is tried with both kinds of account.
LOGINS = [
    pytest.param(SITE_LOGIN, "user", id="site-user"),
    pytest.param(SITE_LOGIN, "staff", id="site-staff"),
    pytest.param(ADMIN_LOGIN, "staff", id="admin-staff"),
]
LOGOUTS = [
    pytest.param(SITE_LOGOUT, "user", id="site-user"),
    pytest.param(SITE_LOGOUT, "staff", id="site-staff"),
    pytest.param(ADMIN_LOGOUT, "staff", id="admin-staff"),
]
# Both views read `next` from the query string as well as from the form.
WHERE_NEXT_GOES = pytest.mark.parametrize("in_query", [False, True], ids=["form", "query"])


def sending_next(url, next_url, *, in_query):
    """The URL to post to and the form fields that carry `next_url` there."""
    if in_query:
        return f"{url}?{urlencode({'next': next_url})}", {}
    return url, {"next": next_url}


@WHERE_NEXT_GOES
@pytest.mark.parametrize("next_url", OUTSIDE)
@pytest.mark.parametrize(("login_url", "account"), LOGINS)
def test_login_ignores_an_outside_next(
    request, client, password, login_url, account, next_url, in_query
):
    username = request.getfixturevalue(account).username
    url, fields = sending_next(login_url, next_url, in_query=in_query)
    response = log_in(client, username, password, url, **fields)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LANDING
    assert is_logged_in(client)


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_a_signed_in_visit_to_the_login_page_ignores_an_outside_next(user_client, next_url):
    response = user_client.get(SITE_LOGIN, {"next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LANDING


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_the_login_form_does_not_carry_an_outside_next(client, next_url):
    # The admin's form posts back to its own URL, query string included: its POST check is
    # what keeps it safe (above).
    response = client.get(SITE_LOGIN, {"next": next_url})
    assert response.status_code == HTTPStatus.OK
    assert response.context["next"] == ""
    html = response.content.decode()
    assert '<input type="hidden" name="next" value="">' in html
    assert "evil.example" not in html


def test_the_login_form_carries_a_next_on_this_site(client):
    response = client.get(SITE_LOGIN, {"next": "/accounts/profile/"})
    assert '<input type="hidden" name="next" value="/accounts/profile/">' in (
        response.content.decode()
    )


@WHERE_NEXT_GOES
@pytest.mark.parametrize("next_url", OUTSIDE)
@pytest.mark.parametrize(("logout_url", "account"), LOGOUTS)
def test_logout_ignores_an_outside_next(request, client, logout_url, account, next_url, in_query):
    client.force_login(request.getfixturevalue(account))
    url, fields = sending_next(logout_url, next_url, in_query=in_query)
    response = client.post(url, fields)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == SITE_LOGIN
    assert not is_logged_in(client)


@WHERE_NEXT_GOES
@pytest.mark.parametrize(
    ("url", "account", "next_url"),
    [
        (SITE_LOGIN, "staff", "/accounts/profile/"),
        (ADMIN_LOGIN, "staff", "/accounts/profile/"),
        (SITE_LOGOUT, "staff", "/accounts/profile/"),
        (ADMIN_LOGOUT, "staff", "/accounts/profile/"),
        (SITE_LOGIN, "user", "/accounts/profile/?tab=1"),
        (SITE_LOGOUT, "user", "/accounts/signup/"),
    ],
)
def test_a_next_on_this_site_is_followed(
    request, client, password, url, account, next_url, in_query
):
    """The control: the refusals above are about the address, not `next` being ignored."""
    user = request.getfixturevalue(account)
    sent_to, fields = sending_next(url, next_url, in_query=in_query)
    if url in {SITE_LOGOUT, ADMIN_LOGOUT}:
        client.force_login(user)
        response = client.post(sent_to, fields)
    else:
        response = log_in(client, user.username, password, sent_to, **fields)
    assert response.url == next_url
