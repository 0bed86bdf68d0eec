"""Assertions shared by the account page tests."""

from http import HTTPStatus

from django.contrib.auth.forms import SetPasswordMixin
from django.utils.html import escape

from todos.models import Tag, Todo
from users.models import User

# Django's wording, with a typographic apostrophe.
PASSWORD_MISMATCH = str(SetPasswordMixin.error_messages["password_mismatch"])


def all_rows():
    """Every user, todo and tag row, to compare before and after a refused submission."""
    return [list(model.objects.order_by("pk").values()) for model in (User, Todo, Tag)]


def assert_field_error(response, field, message, form="form"):
    """The page was re-rendered (200) with `message` shown next to `field`."""
    assert response.status_code == HTTPStatus.OK
    assert message in response.context[form].errors[field]
    field_id = response.context[form][field].auto_id
    assert f'<p class="field-error" id="{field_id}_error">{escape(message)}</p>' in (
        response.content.decode()
    )
