"""Logging in and out of the site.

Where `next` may send the browser afterwards is tested, for the site's and the admin's login
and logout alike, in tests/security/test_open_redirect.py.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import database_snapshot, messages_of
from tests.users.helpers import LOGIN_URL, assert_field_error, is_logged_in, log_in

pytestmark = pytest.mark.django_db

LOGOUT_URL = reverse("users:logout")
INVALID_LOGIN = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)


def test_login_page_links_to_sign_up_and_password_reset(client):
    html = client.get(LOGIN_URL).content.decode()
    assert f'href="{reverse("users:signup")}"' in html
    assert f'href="{reverse("users:password_reset")}"' in html


def test_signed_in_users_skip_the_login_page(user_client):
    response = user_client.get(LOGIN_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "next_url", [LOGIN_URL, f"{LOGIN_URL}?next={LOGIN_URL}"], ids=["login", "login with next"]
)
def test_a_next_back_to_the_login_page_sends_signed_in_users_to_their_todos(
    user_client, method, next_url
):
    # Django's view raised "Redirection loop for authenticated user detected": a 500.
    response = getattr(user_client, method)(LOGIN_URL, {"next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")


@pytest.mark.parametrize("signed_in", [False, True], ids=["logging in", "signed in"])
def test_a_next_to_the_logout_page_sends_users_to_their_todos(client, user, password, signed_in):
    # The logout page answers GET with its 405 page: not where a login should end.
    if signed_in:
        client.force_login(user)
        response = client.get(LOGIN_URL, {"next": LOGOUT_URL})
    else:
        response = client.post(
            f"{LOGIN_URL}?next={LOGOUT_URL}", {"username": user.username, "password": password}
        )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("todos:list")
    assert is_logged_in(client)


def test_signed_in_users_still_go_on_to_a_safe_next(user_client):
    response = user_client.get(LOGIN_URL, {"next": reverse("users:profile")})
    assert response.url == reverse("users:profile")


@pytest.mark.parametrize("url", [LOGIN_URL, reverse("admin:login")], ids=["site", "admin"])
def test_the_username_logs_in_in_any_letter_case(client, staff, password, url):
    """Usernames are unique ignoring case (sign-up refuses "Alice" once alice exists)."""
    response = log_in(client, staff.username.upper(), password, url)
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_login_records_the_time(client, user, password):
    assert user.last_login is None
    log_in(client, user.username, password)
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "", "password": "x"}, "username", "This field is required."),
        ({"username": "x", "password": ""}, "password", "This field is required."),
        ({"username": "ad\x00a", "password": "x"}, "username", "Null characters are not allowed."),
        ({"username": "ada", "password": "x\x00"}, "password", "Null characters are not allowed."),
    ],
)
def test_bad_login_input_is_shown_next_to_its_field(client, data, field, message):
    response = client.post(LOGIN_URL, data)
    assert_field_error(response, field, message)
    assert not is_logged_in(client)


@pytest.mark.parametrize("login_url", [LOGIN_URL, reverse("admin:login")], ids=["site", "admin"])
@pytest.mark.parametrize("length", [151, 256])
def test_a_username_longer_than_any_accounts_is_refused_next_to_its_field(
    client, login_url, length
):
    """It used to reach authenticate(), and django-axes's record of the failure (a 255-character
    column) was a 500 on PostgreSQL."""
    before = database_snapshot()
    response = client.post(login_url, {"username": "u" * length, "password": "x"})
    message = f"Ensure this value has at most 150 characters (it has {length})."
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["username"] == [message]
    assert not AccessAttempt.objects.exists()
    assert database_snapshot() == before


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, user):
    response = log_in(client, user.username, "not-the-password")
    assert response.status_code == HTTPStatus.OK
    assert INVALID_LOGIN in response.context["form"].non_field_errors()
    assert not is_logged_in(client)


def test_logout_by_get_is_refused_with_a_page_holding_the_button(user_client):
    response = user_client.get(LOGOUT_URL)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "POST, OPTIONS"
    assert is_logged_in(user_client)
    assert f'<form method="post" action="{LOGOUT_URL}">' in response.content.decode()


def test_logout_by_get_when_signed_out_points_to_the_login(client):
    response = client.get(LOGOUT_URL)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert f'href="{LOGIN_URL}"' in response.content.decode()


@pytest.mark.parametrize("next_url", [LOGOUT_URL, f"{LOGOUT_URL}?again=1"])
def test_logout_with_itself_as_next_goes_to_the_login_page(user_client, next_url):
    response = user_client.post(LOGOUT_URL, {"next": next_url})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LOGIN_URL
    assert not is_logged_in(user_client)


def test_logout_by_post_ends_the_session_with_a_message(user_client):
    response = user_client.post(LOGOUT_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LOGIN_URL
    assert not is_logged_in(user_client)
    assert messages_of(response) == ["You have been logged out."]


def test_logout_without_a_session_goes_to_the_login_page_without_a_message(client):
    response = client.post(LOGOUT_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LOGIN_URL
    assert messages_of(response) == []


def test_header_logout_is_a_post_form(user_client):
    html = user_client.get(reverse("users:profile")).content.decode()
    assert f'<form method="post" action="{LOGOUT_URL}">' in html
    assert f'href="{LOGOUT_URL}"' not in html


class TestCsrf:
    @pytest.fixture
    def csrf_client(self):
        return Client(enforce_csrf_checks=True)

    def test_login_without_the_token_is_refused(self, csrf_client, user, password):
        response = log_in(csrf_client, user.username, password)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert not is_logged_in(csrf_client)

    def test_logout_without_the_token_is_refused(self, csrf_client, user):
        csrf_client.force_login(user)
        response = csrf_client.post(LOGOUT_URL)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert is_logged_in(csrf_client)

    def test_login_with_the_token_from_the_form_works(self, csrf_client, user, password):
        csrf_client.get(LOGIN_URL)
        token = csrf_client.cookies["csrftoken"].value
        response = log_in(csrf_client, user.username, password, csrfmiddlewaretoken=token)
        assert response.status_code == HTTPStatus.FOUND
        assert is_logged_in(csrf_client)


class TestThrottling:
    """django-axes: 5 failures for one username from one address lock it for 15 minutes."""

    LOCKED_OUT = "Too many failed attempts"

    @pytest.fixture(params=[LOGIN_URL, reverse("admin:login")], ids=["site", "admin"])
    def login_url(self, request):
        return request.param

    def fail(self, client, staff, url, times):
        return [log_in(client, staff.username, "wrong", url).status_code for _ in range(times)]

    def test_the_fifth_failure_locks_the_username_out(self, client, staff, login_url):
        assert self.fail(client, staff, login_url, 4) == [HTTPStatus.OK] * 4

        response = log_in(client, staff.username, "wrong", login_url)

        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert self.LOCKED_OUT in response.content.decode()
        assert "registration/lockout.html" in [t.name for t in response.templates]

    def test_the_right_password_is_refused_while_locked_out(
        self, client, staff, password, login_url
    ):
        self.fail(client, staff, login_url, 5)

        response = log_in(client, staff.username, password, login_url)

        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert self.LOCKED_OUT in response.content.decode()
        assert not is_logged_in(client)

    def test_failures_in_any_letter_case_count_together(self, client, staff, password):
        spellings = [staff.username, staff.username.upper(), staff.username.title()]
        for attempt in range(5):
            log_in(client, spellings[attempt % 3], "wrong")
        for spelling in spellings:
            response = log_in(client, spelling, password)
            assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert not is_logged_in(client)

    def test_failures_are_counted_under_the_accounts_own_spelling(self, client):
        UserFactory(username="MixedCase")
        log_in(client, "mixedCASE", "wrong")
        log_in(client, "Nobody", "wrong")  # no such account: counted as typed
        assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
            "MixedCase",
            "Nobody",
        }

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite's LOWER() folds A to Z only"
    )
    def test_a_spelling_only_the_database_folds_shares_the_count(self, client, password):
        """PostgreSQL's LOWER("İ") is "i" where Python's "İ".lower() is "i̇": the database finds
        the account for the login, and so for the count."""
        UserFactory(username="admin")
        for _ in range(5):
            log_in(client, "admİn", "wrong")
        assert log_in(client, "admin", password).status_code == HTTPStatus.TOO_MANY_REQUESTS

    def test_site_and_admin_failures_count_together(self, client, staff, password):
        self.fail(client, staff, LOGIN_URL, 3)
        self.fail(client, staff, reverse("admin:login"), 2)
        response = log_in(client, staff.username, password)
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS

    def test_a_successful_login_resets_the_count(self, client, staff, password, login_url):
        self.fail(client, staff, login_url, 4)
        assert log_in(client, staff.username, password, login_url).status_code == HTTPStatus.FOUND
        client.post(LOGOUT_URL)

        assert self.fail(client, staff, login_url, 4) == [HTTPStatus.OK] * 4
        assert log_in(client, staff.username, password, login_url).status_code == HTTPStatus.FOUND

    def test_the_lock_ends_after_15_minutes(self, client, staff, password):
        self.fail(client, staff, LOGIN_URL, 5)
        attempt = AccessAttempt.objects.get(username=staff.username)

        attempt.attempt_time -= timedelta(minutes=14)
        attempt.save()
        assert log_in(client, staff.username, password).status_code == HTTPStatus.TOO_MANY_REQUESTS

        attempt.attempt_time -= timedelta(minutes=2)
        attempt.save()
        assert log_in(client, staff.username, password).status_code == HTTPStatus.FOUND

    @pytest.mark.parametrize("retried_with", ["wrong", "the right password"])
    def test_trying_again_during_the_lock_does_not_extend_it(
        self, client, staff, password, retried_with
    ):
        self.fail(client, staff, LOGIN_URL, 5)
        attempt = AccessAttempt.objects.get(username=staff.username)
        attempt.attempt_time -= timedelta(minutes=10)
        attempt.save()
        retry = "wrong" if retried_with == "wrong" else password
        assert log_in(client, staff.username, retry).status_code == HTTPStatus.TOO_MANY_REQUESTS

        attempt.refresh_from_db()  # what the retry left, not the time set above
        attempt.attempt_time -= timedelta(minutes=6)  # 16 minutes after the lock began
        attempt.save()
        assert log_in(client, staff.username, password).status_code == HTTPStatus.FOUND

    def test_the_lock_is_for_that_username_from_that_address_only(self, client, staff, password):
        other = UserFactory()
        self.fail(client, staff, LOGIN_URL, 5)

        assert log_in(client, other.username, password).status_code == HTTPStatus.FOUND
        client.post(LOGOUT_URL)
        from_elsewhere = Client(REMOTE_ADDR="203.0.113.9")
        assert log_in(from_elsewhere, staff.username, password).status_code == HTTPStatus.FOUND

    def test_failed_attempts_are_recorded_without_the_password(self, client, staff):
        log_in(client, staff.username, "my-secret-guess")
        attempt = AccessAttempt.objects.get(username=staff.username)
        assert "my-secret-guess" not in attempt.post_data


# The account pages that ask for the password again, and what they post with it.
NEW_PASSWORD = "lantern-meadow-31"
PASSWORD_CHECKS = {
    "account deletion": (reverse("users:delete"), "password", "That is not your password.", {}),
    "password change": (
        reverse("users:password_change"),
        "old_password",
        "Your old password was entered incorrectly. Please enter it again.",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    "email change": (
        reverse("users:profile"),
        "current_password",
        "That is not your password.",
        {
            "email": "new-address@example.com",
            "default_status": "all",
            "default_sort": "-created",
            "page_size": "25",
        },
    ),
}


def post_password(client, url, field, password, data):
    return client.post(url, {field: password, **data})


@pytest.mark.parametrize(
    ("url", "field", "refusal", "data"), PASSWORD_CHECKS.values(), ids=PASSWORD_CHECKS
)
class TestPasswordChecksCountAsFailedLogins:
    """With a session alone, the password cannot be guessed on the pages that ask for it."""

    def test_a_wrong_password_changes_nothing_but_counts_as_a_failed_login(
        self, user_client, user, url, field, refusal, data
    ):
        before = database_snapshot()
        response = post_password(user_client, url, field, "wrong", data)
        assert_field_error(response, field, refusal)
        after = database_snapshot()
        attempts = after.pop("axes.AccessAttempt")
        before.pop("axes.AccessAttempt")
        assert after == before
        assert [(row["username"], row["failures_since_start"]) for row in attempts] == [
            (user.username, 1)
        ]
        # The attempt keeps the POST, every password in it masked.
        assert "wrong" not in attempts[0]["post_data"]
        assert NEW_PASSWORD not in attempts[0]["post_data"]

    def test_after_five_wrong_ones_the_right_one_is_refused_there_and_at_login(
        self, user_client, user, password, url, field, refusal, data
    ):
        wrong = [
            post_password(user_client, url, field, "wrong", data).status_code for _ in range(5)
        ]
        assert wrong == [HTTPStatus.OK] * 4 + [HTTPStatus.TOO_MANY_REQUESTS]

        response = post_password(user_client, url, field, password, data)

        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert TestThrottling.LOCKED_OUT in response.content.decode()
        user.refresh_from_db()
        assert user.check_password(password)
        signed_out = Client()  # from the same address
        assert log_in(signed_out, user.username, password).status_code == (
            HTTPStatus.TOO_MANY_REQUESTS
        )

    def test_the_right_password_works_the_first_time(
        self, user_client, user, password, url, field, refusal, data
    ):
        response = post_password(user_client, url, field, password, data)
        assert response.status_code == HTTPStatus.FOUND


class TestLockoutPage:
    def lock_out(self, client, username, url=LOGIN_URL):
        for _ in range(5):
            response = log_in(client, username, "wrong", url)
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        return response

    def test_it_is_titled_as_an_error_and_offers_a_password_reset(self, client, user):
        response = self.lock_out(client, user.username)
        content = response.content.decode()
        assert "<title>Error: Too many attempts · Todos</title>" in content
        assert f'href="{reverse("users:password_reset")}"' in content
        assert f'href="{LOGIN_URL}"' in content

    def test_signed_in_it_leads_back_to_the_todos_not_to_the_login(self, user_client, user):
        for _ in range(5):
            response = user_client.post(reverse("users:delete"), {"password": "wrong"})
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        content = response.content.decode()
        assert f'href="{reverse("todos:list")}">Back to your todos' in content
        assert "Back to log in" not in content
