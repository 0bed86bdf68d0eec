"""Every form of the site renders through config.forms.FormRenderer."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("users:signup")
GOOD_SIGNUP = {
    "username": "ada",
    "email": "ada@example.com",
    "password1": "plum-orbit-quiet-87",
    "password2": "plum-orbit-quiet-87",
}


class _Autofocused(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "autofocus" in attrs:
            self.names.append(attrs.get("name"))


def autofocused(response):
    """The names of the fields the page opens on (a browser takes the first)."""
    parser = _Autofocused()
    parser.feed(response.content.decode())
    return parser.names


def title(response):
    html = response.content.decode()
    return html[html.index("<title>") + len("<title>") : html.index("</title>")]


def test_a_fresh_form_opens_where_django_put_the_focus(client):
    response = client.get(SIGNUP_URL)
    assert autofocused(response) == ["username"]
    assert title(response) == "Sign up · Todos"


@pytest.mark.parametrize(
    ("bad", "first_invalid"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "not-an-email", "password2": "other-orbit-1"}, "email"),
        # Both passwords come back empty: the first of them, to type both again.
        ({"password2": "other-orbit-1", "age": "-1"}, "password1"),
        ({"username": ""}, "username"),
    ],
)
def test_a_form_sent_back_with_errors_opens_on_its_first_field_in_error(client, bad, first_invalid):
    response = client.post(SIGNUP_URL, {**GOOD_SIGNUP, **bad})
    assert response.status_code == 200
    assert autofocused(response) == [first_invalid]
    assert title(response) == "Error: Sign up · Todos"


def test_an_error_of_the_whole_form_leaves_the_focus_alone(client, user):
    response = client.post(reverse("users:login"), {"username": user.username, "password": "x"})
    assert response.context["form"].non_field_errors()
    assert autofocused(response) == ["username"]
    assert title(response) == "Error: Log in · Todos"


def test_the_profile_page_says_error_for_its_second_form_too(user_client, user):
    data = {"email": user.email, "age": "", "city": "", "default_status": "nonsense"}
    data |= {"default_sort": "-created", "page_size": "25"}
    response = user_client.post(reverse("users:profile"), data)
    assert response.context["preferences_form"].errors
    assert not response.context["form"].errors
    assert autofocused(response) == ["default_status"]
    assert title(response).startswith("Error: ")


def test_the_profile_page_opens_on_the_first_field_in_error_of_its_two_forms(user_client, user):
    data = {"email": "", "age": "", "city": "", "default_status": "all"}
    data |= {"default_sort": "-created", "page_size": "5"}
    response = user_client.post(reverse("users:profile"), data)
    assert response.context["form"].errors
    assert response.context["preferences_form"].errors
    assert autofocused(response) == ["email"]


def test_a_wrong_current_password_is_where_the_password_change_opens(user_client):
    data = {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    response = user_client.post(reverse("users:password_change"), data)
    assert autofocused(response) == ["old_password"]


def test_the_admin_opens_on_a_field_it_shows_not_an_autocompletes_hidden_select(admin_client):
    # The owner (an autocomplete: select2 hides its <select>) is missing, the title too.
    response = admin_client.post(reverse("admin:todos_todo_add"), {"title": "", "priority": 2})
    assert {"owner", "title"} <= set(response.context["adminform"].form.errors)
    assert autofocused(response) == ["title"]
