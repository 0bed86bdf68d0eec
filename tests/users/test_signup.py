from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import database_snapshot, messages_of
from tests.users.helpers import PASSWORD_MISMATCH, assert_field_error, is_logged_in
from users.models import User
from users.views import SignupView

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("users:signup")
STRONG_PASSWORD = "plum-orbit-quiet-87"


@pytest.fixture
def signup_data():
    return {
        "username": "ada",
        "email": "ada@example.com",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "age": "36",
        "city": "London",
    }


def test_signup_page_labels_every_field_and_marks_the_required_ones(client):
    response = client.get(SIGNUP_URL)
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["form"].fields) == [
        "username",
        "email",
        "password1",
        "password2",
        "age",
        "city",
    ]
    html = response.content.decode()
    for field in ("username", "email", "password1", "password2", "age", "city"):
        assert f'<label for="id_{field}">' in html
    assert html.count('class="required"') == 4  # username, email and both passwords


def test_signup_creates_the_account_logs_in_and_welcomes(client, signup_data):
    response = client.post(SIGNUP_URL, signup_data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")
    user = User.objects.get(username="ada")
    assert (user.email, user.age, user.city) == ("ada@example.com", 36, "London")
    assert user.check_password(STRONG_PASSWORD)
    assert user.password.startswith("md5$")  # hashed (Argon2 outside the tests), never stored
    assert int(client.session["_auth_user_id"]) == user.pk
    assert messages_of(response) == ["Welcome, ada! Your account is ready."]


def test_age_and_city_are_optional(client, signup_data):
    client.post(SIGNUP_URL, {**signup_data, "age": "", "city": ""})
    user = User.objects.get(username="ada")
    assert (user.age, user.city) == (None, "")


def test_email_domain_is_stored_in_lower_case(client, signup_data):
    client.post(SIGNUP_URL, {**signup_data, "email": "Ada@Example.COM"})
    assert User.objects.get(username="ada").email == "Ada@example.com"


def test_signed_in_users_are_sent_to_their_todos(user_client):
    response = user_client.get(SIGNUP_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")


PROFILE_URL = reverse("users:profile")


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        (PROFILE_URL, PROFILE_URL),
        ("https://elsewhere.example/", reverse("todos:list")),  # not this site: ignored
        (SIGNUP_URL, reverse("todos:list")),  # itself
        (reverse("users:logout"), reverse("todos:list")),  # its 405 page
    ],
)
def test_sign_up_goes_on_to_a_safe_next(client, signup_data, next_url, lands_on):
    response = client.post(SIGNUP_URL, {**signup_data, "next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == lands_on
    assert is_logged_in(client)


def test_the_login_pages_next_goes_through_the_sign_up_page(client):
    next_url = "/todos/?status=active&sort=due"
    quoted = "/todos/%3Fstatus%3Dactive%26sort%3Ddue"
    login_page = client.get(reverse("users:login"), {"next": next_url}).content.decode()
    assert f'href="{SIGNUP_URL}?next={quoted}"' in login_page

    signup_page = client.get(SIGNUP_URL, {"next": next_url}).content.decode()
    assert '<input type="hidden" name="next" value="/todos/?status=active&amp;sort=due">' in (
        signup_page
    )
    assert f'href="{reverse("users:login")}?next={quoted}"' in signup_page


def test_signed_in_users_opening_sign_up_go_on_to_a_safe_next(user_client):
    response = user_client.get(SIGNUP_URL, {"next": PROFILE_URL})
    assert response.url == PROFILE_URL


NUL = "\x00"
INVALID_USERNAME = (
    "Enter a valid username. This value may contain only letters, numbers, "
    "and @/./+/-/_ characters."
)
BAD_INPUT = [
    ("username", "", "This field is required."),
    ("username", "ada lovelace", INVALID_USERNAME),
    (
        "username",
        "a" * 151,
        "Ensure this value has at most 150 characters (it has 151).",
    ),
    ("username", f"ada{NUL}", "Null characters are not allowed."),
    ("email", "", "This field is required."),
    ("email", "ada-at-example.com", "Enter a valid email address."),
    ("email", f"ada{NUL}@example.com", "Null characters are not allowed."),
    ("password1", "", "This field is required."),
    ("password2", "", "This field is required."),
    ("password2", "plum-orbit-quiet-88", PASSWORD_MISMATCH),
    ("password1", f"plum{NUL}orbit", "Null characters are not allowed."),
    ("age", "-1", "Ensure this value is greater than or equal to 0."),
    ("age", "151", "Ensure this value is less than or equal to 150."),
    ("age", "abc", "Enter a whole number."),
    ("age", f"3{NUL}", "Enter a whole number."),
    ("city", "x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ("city", f"Lon{NUL}don", "Null characters are not allowed."),
]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    BAD_INPUT,
    ids=[f"{field}-{message}" for field, _, message in BAD_INPUT],
)
def test_bad_input_is_refused_next_to_its_field_and_creates_nothing(
    client, signup_data, field, value, message
):
    UserFactory()
    before = database_snapshot()

    response = client.post(SIGNUP_URL, {**signup_data, field: value})

    assert_field_error(response, field, message)
    assert database_snapshot() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8405219377", "This password is entirely numeric."),
        ("ada.lovelace", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused(client, signup_data, password, message):
    data = {**signup_data, "username": "ada.lovelace", "password1": password, "password2": password}
    response = client.post(SIGNUP_URL, data)
    assert_field_error(response, "password2", message)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "taken", "entered", "message"),
    [
        ("username", "Ada", "aDA", "A user with that username already exists."),
        ("email", "Ada@Example.com", "ada@example.COM", "A user with that email already exists."),
    ],
)
def test_taken_username_or_email_in_another_letter_case_is_refused(
    client, signup_data, field, taken, entered, message
):
    UserFactory(**{field: taken})
    before = database_snapshot()

    response = client.post(SIGNUP_URL, {**signup_data, field: entered})

    assert_field_error(response, field, message)
    assert database_snapshot() == before


@pytest.fixture
def inserted_meanwhile(monkeypatch):
    """Makes `insert()` run after the form's checks and before the view saves it, as another
    request (the first click of a double click, or someone else's) can."""

    def arrange(insert):
        real_form_valid = SignupView.form_valid

        def form_valid(view, form):
            insert()
            return real_form_valid(view, form)

        monkeypatch.setattr(SignupView, "form_valid", form_valid)

    return arrange


def test_a_double_clicked_sign_up_signs_up_once_and_logs_in(
    client, signup_data, inserted_meanwhile
):
    first_click = UserFactory.build(username="ada", email="ada@example.com")
    first_click.set_password(STRONG_PASSWORD)
    inserted_meanwhile(first_click.save)

    response = client.post(SIGNUP_URL, signup_data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")
    assert client.session["_auth_user_id"] == str(first_click.pk)
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("username", "A user with that username already exists."),
        ("email", "A user with that email already exists."),
    ],
)
def test_a_name_taken_meanwhile_by_someone_else_is_refused_not_a_server_error(
    client, signup_data, inserted_meanwhile, field, message
):
    # Another password: not the first click of a double click.
    inserted_meanwhile(lambda: UserFactory(**{field: signup_data[field]}))

    response = client.post(SIGNUP_URL, signup_data)

    assert_field_error(response, field, message)
    assert User.objects.count() == 1
    assert not is_logged_in(client)


def test_every_error_of_a_field_is_named_by_its_aria_describedby(client, signup_data):
    """Several errors, one element: aria-describedby names a single id for the errors."""
    response = client.post(SIGNUP_URL, {**signup_data, "password1": "1234", "password2": "1234"})
    errors = response.context["form"].errors["password2"]
    assert len(errors) > 1
    for error in errors:
        assert_field_error(response, "password2", error)
    assert response.content.decode().count('id="id_password2_error"') == 1
