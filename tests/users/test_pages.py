import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = ["users:profile", "users:password_change", "users:delete"]
PUBLIC_PAGES = ["users:signup", "users:login", "users:password_reset", "users:password_reset_done"]


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_login_and_back(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{reverse('users:login')}?next={url}"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("users:profile", "You were logged out, so that was not saved. Log in to go on."),
        ("users:password_change", "You were logged out, so that was not saved. Log in to go on."),
        ("users:delete", "You were logged out, so the account was not deleted. Log in to go on."),
    ],
)
def test_a_form_sent_after_the_session_ended_says_so_and_leads_back_to_it(client, name, message):
    url = reverse(name)
    response = client.post(url, {"password": "x", "email": "new@example.com"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{reverse('users:login')}?next={url}"
    assert messages_of(client.get(response.url)) == [message]


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_a_private_page_opened_signed_out_gets_no_such_message(client, name):
    assert messages_of(client.get(reverse(name), follow=True)) == []


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_account_pages_open_for_anonymous_visitors(client, name):
    assert client.get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", [*PRIVATE_PAGES, "users:password_reset"])
def test_every_account_page_uses_the_layout_with_messages(user_client, name):
    response = user_client.get(reverse(name))
    assert response.status_code == HTTPStatus.OK
    assert "base.html" in [t.name for t in response.templates]
    assert 'id="messages"' in response.content.decode()


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_private_pages_are_never_served_from_a_cache(user_client, name):
    # Back after a change or a logout must fetch them again, not show them as they were.
    cache_control = user_client.get(reverse(name))["Cache-Control"].split(",")
    assert {"no-store", "no-cache", "private"} <= {part.strip() for part in cache_control}


def test_header_shows_who_is_logged_in_with_their_links(user_client, user):
    html = user_client.get(reverse("users:profile")).content.decode()
    assert f"Signed in as <strong>{user.username}</strong>" in html
    assert f'href="{reverse("todos:list")}"' in html
    assert f'href="{reverse("users:profile")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_header_links_staff_to_the_admin(client):
    client.force_login(UserFactory(is_staff=True))
    html = client.get(reverse("users:profile")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html


def test_header_offers_login_and_signup_to_anonymous_visitors(client):
    html = client.get(reverse("users:login")).content.decode()
    assert f'href="{reverse("users:signup")}"' in html
    assert "Signed in as" not in html


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("users:signup", ["password1", "password2"]),
        ("users:login", ["password"]),
        ("users:password_change", ["old_password", "new_password1", "new_password2"]),
        ("users:delete", ["password"]),
        ("users:profile", ["current_password"]),
    ],
)
def test_passwords_are_kept_out_of_error_reports(user_client, name, fields):
    hidden = user_client.post(reverse(name), {}).wsgi_request.sensitive_post_parameters
    assert hidden == "__ALL__" or set(fields) <= set(hidden)


def test_email_and_city_fields_say_what_browsers_may_fill_in(user_client):
    for html in (
        Client().get(reverse("users:signup")).content.decode(),
        user_client.get(reverse("users:profile")).content.decode(),
    ):
        assert re.search(r'<input type="email" name="email"[^>]* autocomplete="email"', html)
        assert re.search(r'<input type="text" name="city"[^>]* autocomplete="address-level2"', html)


def test_the_profile_form_has_its_own_heading(user_client):
    html = user_client.get(reverse("users:profile")).content.decode()
    assert '<section class="card" aria-labelledby="edit-heading" id="edit">' in html
    assert '<h2 id="edit-heading">Edit your profile</h2>' in html


def test_a_reset_link_that_does_not_work_says_so_in_its_title(client):
    response = client.get(reverse("users:password_reset_confirm", args=["MQ", "not-a-token"]))
    assert "<title>This link does not work · Todos</title>" in response.content.decode()
