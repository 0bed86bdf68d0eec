from http import HTTPStatus

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from tests.factories import TodoFactory, UserFactory
from tests.helpers import database_snapshot, messages_of
from tests.users.helpers import assert_field_error
from todos.listing import (
    PAGE_SIZE_MAX,
    PAGE_SIZE_MIN,
    ListDefaults,
    ListSort,
    ListStatus,
    list_defaults_for,
)

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("users:profile")


@pytest.fixture
def profile_data(user):
    return {
        "email": user.email,
        "age": "40",
        "city": "Lyon",
        "default_status": "active",
        "default_sort": "due",
        "page_size": "50",
    }


def test_profile_shows_the_account_and_its_todo_counts(user_client, user):
    TodoFactory.create_batch(3, owner=user)
    TodoFactory.create_batch(2, owner=user, completed=True)
    TodoFactory(completed=True)  # someone else's

    response = user_client.get(PROFILE_URL)

    assert response.status_code == HTTPStatus.OK
    # The account's summary, before the edit form (whose fields hold the same values).
    summary = response.content.decode().partition('id="edit"')[0]
    for label, shown in (
        ("Username", user.username),
        ("Email", user.email),
        ("Age", user.age),
        ("City", user.city),
        ("Todos", "3 open, 2 done"),
    ):
        assert f"<dt>{label}</dt><dd>{escape(shown)}</dd>" in summary
    assert f'<time datetime="{user.date_joined.isoformat()}">' in summary


def test_profile_form_starts_from_the_saved_values_and_preferences(client):
    user = UserFactory(preferences={"default_status": "completed", "page_size": 40})
    client.force_login(user)

    response = client.get(PROFILE_URL)

    assert response.context["form"]["email"].value() == user.email
    preferences_form = response.context["preferences_form"]
    assert preferences_form["default_status"].value() == ListStatus.COMPLETED
    assert preferences_form["default_sort"].value() == ListSort.NEWEST
    assert preferences_form["page_size"].value() == 40


def test_preference_choices_are_the_todo_lists_options(user_client):
    preferences_form = user_client.get(PROFILE_URL).context["preferences_form"]
    assert list(preferences_form.fields["default_status"].choices) == ListStatus.choices
    assert list(preferences_form.fields["default_sort"].choices) == ListSort.choices
    page_size = preferences_form.fields["page_size"]
    assert (page_size.min_value, page_size.max_value) == (PAGE_SIZE_MIN, PAGE_SIZE_MAX)


def test_saving_updates_the_details_and_preferences(user_client, user, password, profile_data):
    new_details = {"email": "new@example.com", "current_password": password}
    response = user_client.post(PROFILE_URL, {**profile_data, **new_details})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == PROFILE_URL
    assert messages_of(response) == ["Your profile was saved."]
    user.refresh_from_db()
    assert (user.email, user.age, user.city) == ("new@example.com", 40, "Lyon")
    assert user.preferences == {"default_status": "active", "default_sort": "due", "page_size": 50}
    assert list_defaults_for(user) == ListDefaults(status="active", sort="due", per_page=50)


def test_saving_keeps_preferences_the_form_does_not_know(client, profile_data):
    user = UserFactory(preferences={"theme": "dark", "page_size": 10})
    client.force_login(user)
    client.post(PROFILE_URL, {**profile_data, "email": user.email})
    user.refresh_from_db()
    assert user.preferences == {
        "theme": "dark",
        "default_status": "active",
        "default_sort": "due",
        "page_size": 50,
    }


def test_own_email_in_another_letter_case_is_accepted(user_client, user, profile_data):
    response = user_client.post(PROFILE_URL, {**profile_data, "email": user.email.upper()})
    assert response.status_code == HTTPStatus.FOUND


def test_details_and_preferences_are_saved_in_one_update(user_client, profile_data):
    with CaptureQueriesContext(connection) as queries:
        user_client.post(PROFILE_URL, profile_data)
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT", "DELETE"))]
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "users_user"')


NUL = "\x00"
BAD_INPUT = [
    ("form", "email", "", "This field is required."),
    ("form", "email", "not-an-email", "Enter a valid email address."),
    ("form", "email", f"a{NUL}@example.com", "Null characters are not allowed."),
    ("form", "age", "-1", "Ensure this value is greater than or equal to 0."),
    ("form", "age", "151", "Ensure this value is less than or equal to 150."),
    ("form", "age", "abc", "Enter a whole number."),
    ("form", "city", "x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
    ("form", "city", f"Ly{NUL}on", "Null characters are not allowed."),
    (
        "preferences_form",
        "default_status",
        "archived",
        "Select a valid choice. archived is not one of the available choices.",
    ),
    (
        "preferences_form",
        "default_sort",
        "-id",
        "Select a valid choice. -id is not one of the available choices.",
    ),
    (
        "preferences_form",
        "default_sort",
        f"due{NUL}",
        f"Select a valid choice. due{NUL} is not one of the available choices.",
    ),
    ("preferences_form", "page_size", "9", "Ensure this value is greater than or equal to 10."),
    ("preferences_form", "page_size", "101", "Ensure this value is less than or equal to 100."),
    ("preferences_form", "page_size", "ten", "Enter a whole number."),
    ("preferences_form", "page_size", "", "This field is required."),
]


@pytest.mark.parametrize(
    ("form", "field", "value", "message"),
    BAD_INPUT,
    ids=[f"{field}={value[:12]!r}" for _, field, value, _ in BAD_INPUT],
)
def test_bad_input_is_refused_next_to_its_field_and_saves_nothing(
    user_client, profile_data, form, field, value, message
):
    before = database_snapshot()

    response = user_client.post(PROFILE_URL, {**profile_data, field: value})

    assert_field_error(response, field, message, form=form)
    assert database_snapshot() == before


def test_email_of_another_user_in_another_letter_case_is_refused(user_client, profile_data):
    UserFactory(email="Taken@Example.com")
    before = database_snapshot()

    response = user_client.post(PROFILE_URL, {**profile_data, "email": "taken@example.COM"})

    assert_field_error(response, "email", "A user with that email already exists.")
    assert database_snapshot() == before


def test_refused_submission_still_shows_the_saved_account(user_client, user, profile_data):
    response = user_client.post(
        PROFILE_URL, {**profile_data, "email": "new@example.com", "age": "x"}
    )
    summary = response.content.decode().split('id="edit"')[0]
    assert user.email in summary
    assert "new@example.com" not in summary


@pytest.mark.parametrize(
    ("current_password", "message"),
    [
        ("", "Enter your password to change your email address."),
        ("not-the-password", "That is not your password."),
    ],
)
def test_a_new_email_needs_the_password_and_nothing_is_saved_without_it(
    user_client, user, profile_data, current_password, message, django_capture_on_commit_callbacks
):
    data = {**profile_data, "email": "taken-over@example.com", "current_password": current_password}

    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(PROFILE_URL, data)

    assert_field_error(response, "current_password", message)
    saved = type(user).objects.get(pk=user.pk)
    assert (saved.email, saved.city) == (user.email, user.city)
    assert mail.outbox == []


def test_details_other_than_the_email_need_no_password(
    user_client, user, profile_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(PROFILE_URL, {**profile_data, "email": user.email.upper()})
    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert user.city == "Lyon"
    assert mail.outbox == []


def test_a_new_email_is_told_to_the_old_address_once_saved(
    user_client, user, password, profile_data, django_capture_on_commit_callbacks
):
    old_email = user.email
    data = {**profile_data, "email": "new@example.com", "current_password": password}

    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(PROFILE_URL, data)

    (notice,) = mail.outbox
    assert notice.to == [old_email]
    assert notice.subject == "Your email address on Todos was changed"
    assert f"changed from {old_email} to new@example.com" in notice.body
    assert user.username in notice.body


def test_a_first_email_for_an_account_without_one_tells_no_one(
    client, password, profile_data, django_capture_on_commit_callbacks
):
    user = UserFactory(email="")
    client.force_login(user)
    data = {**profile_data, "email": "first@example.com", "current_password": password}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PROFILE_URL, data)

    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert user.email == "first@example.com"
    assert mail.outbox == []


def test_the_notice_is_sent_only_once_the_change_is_committed(
    user_client, password, profile_data, django_capture_on_commit_callbacks
):
    data = {**profile_data, "email": "new@example.com", "current_password": password}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user_client.post(PROFILE_URL, data)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_fails_does_not_turn_the_saved_change_into_a_500(
    client, password, profile_data, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens: refused
    user = UserFactory()
    client.force_login(user)
    client.raise_request_exception = False
    data = {**profile_data, "email": "new@example.com", "current_password": password}

    response = client.post(PROFILE_URL, data)

    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert user.email == "new@example.com"
