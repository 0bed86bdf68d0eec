"""What the account tests share: logging in, and assertions on the account pages."""

from http import HTTPStatus

from django.contrib.auth.forms import SetPasswordMixin
from django.urls import reverse
from django.utils.html import escape

LOGIN_URL = reverse("users:login")
# Django's wording, with a typographic apostrophe.
PASSWORD_MISMATCH = str(SetPasswordMixin.error_messages["password_mismatch"])


def log_in(client, username, password, url=LOGIN_URL, **extra):
    """Posts the login form at `url` (the site's, unless given), with `extra` fields."""
    return client.post(url, {"username": username, "password": password, **extra})


def is_logged_in(client):
    return "_auth_user_id" in client.session


def assert_field_error(response, field, message, form="form"):
    """The page was re-rendered (200) with `message` shown next to `field`."""
    assert response.status_code == HTTPStatus.OK
    assert message in response.context[form].errors[field]
    field_id = response.context[form][field].auto_id
    assert f'<p class="field-error" id="{field_id}_error">{escape(message)}</p>' in (
        response.content.decode()
    )
