"""What the account tests share: logging in, and assertions on the account pages."""

import re
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
    # Every error of the field inside the one element its aria-describedby names.
    bound_field = response.context[form][field]
    errors = "".join(f'<p class="field-error">{escape(error)}</p>' for error in bound_field.errors)
    html = response.content.decode()
    assert f'<div id="{bound_field.auto_id}_error">{errors}</div>' in html
    assert re.search(rf'aria-describedby="[^"]*\b{bound_field.auto_id}_error\b', str(bound_field))
