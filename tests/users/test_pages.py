from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_PAGES = ["users:profile", "users:password_change", "users:delete"]
PUBLIC_PAGES = ["users:signup", "users:login", "users:password_reset", "users:password_reset_done"]


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_anonymous_visitors_are_sent_to_login_and_back(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{reverse('users:login')}?next={url}"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_account_pages_open_for_anonymous_visitors(client, name):
    assert client.get(reverse(name)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("name", [*PRIVATE_PAGES, "users:password_reset"])
def test_every_account_page_uses_the_layout_with_messages(user_client, name):
    response = user_client.get(reverse(name))
    assert response.status_code == HTTPStatus.OK
    assert "base.html" in [t.name for t in response.templates]
    assert 'id="messages"' in response.content.decode()


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
