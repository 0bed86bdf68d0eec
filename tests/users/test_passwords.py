import re
from datetime import timedelta
from http import HTTPStatus
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import database_snapshot, messages_of
from tests.users.helpers import PASSWORD_MISMATCH, assert_field_error
from users.models import User
from users.services import PASSWORD_RESET_EMAIL_INTERVAL, claim_password_reset_email

pytestmark = pytest.mark.django_db

CHANGE_URL = reverse("users:password_change")
RESET_URL = reverse("users:password_reset")
NEW_PASSWORD = "lantern-meadow-29"


def log_in(client, username, password):
    response = client.post(reverse("users:login"), {"username": username, "password": password})
    return response.status_code == HTTPStatus.FOUND and "_auth_user_id" in client.session


class TestPasswordChange:
    def test_changing_keeps_the_user_logged_in(self, user_client, user, password):
        response = user_client.post(
            CHANGE_URL,
            {
                "old_password": password,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )

        assert response.status_code == HTTPStatus.FOUND
        assert response.url == reverse("users:profile")
        assert messages_of(response) == ["Your password was changed."]
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)
        assert user_client.get(reverse("users:profile")).status_code == HTTPStatus.OK

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            # A wrong old password: tests/users/test_login.py (it counts as a failed login).
            ({"new_password1": ""}, "new_password1", "This field is required."),
            (
                {"new_password2": "lantern-meadow-30"},
                "new_password2",
                PASSWORD_MISMATCH,
            ),
            (
                {"new_password1": "password1", "new_password2": "password1"},
                "new_password2",
                "This password is too common.",
            ),
            (
                {"new_password1": "lan\x00tern", "new_password2": "lan\x00tern"},
                "new_password1",
                "Null characters are not allowed.",
            ),
        ],
    )
    def test_bad_input_is_refused_and_the_password_stays(
        self, user_client, password, data, field, message
    ):
        before = database_snapshot()
        full = {"old_password": password, "new_password1": NEW_PASSWORD}
        full["new_password2"] = NEW_PASSWORD
        response = user_client.post(CHANGE_URL, {**full, **data})

        assert_field_error(response, field, message)
        assert database_snapshot() == before


class TestPasswordReset:
    @pytest.fixture
    def reset_link(self, client, user):
        client.post(RESET_URL, {"email": user.email.upper()})
        (email,) = mail.outbox
        return re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)

    def test_reset_page_renders(self, client):
        response = client.get(RESET_URL)
        assert response.status_code == HTTPStatus.OK
        assert '<label for="id_email">' in response.content.decode()

    def test_asking_sends_one_email_to_the_account(self, client, user):
        response = client.post(RESET_URL, {"email": user.email})

        assert response.status_code == HTTPStatus.FOUND
        assert response.url == reverse("users:password_reset_done")
        (email,) = mail.outbox
        assert email.to == [user.email]
        assert email.subject == "Reset your password on testserver"
        assert user.username in email.body

    def test_the_emailed_link_sets_a_new_password(self, client, user, password, reset_link):
        response = client.get(reset_link)
        assert response.status_code == HTTPStatus.FOUND
        set_password_url = response.url  # the token moves to the session, out of the URL
        assert client.get(set_password_url).context["validlink"] is True

        response = client.post(
            set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )

        assert response.url == reverse("users:password_reset_complete")
        assert client.get(response.url).status_code == HTTPStatus.OK
        assert not log_in(client, user.username, password)
        assert log_in(client, user.username, NEW_PASSWORD)

    def test_setting_a_new_password_lifts_the_login_lock_of_this_address(
        self, client, user, reset_link
    ):
        for _ in range(5):
            client.post(reverse("users:login"), {"username": user.username, "password": "wrong"})
        elsewhere = Client(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            elsewhere.post(reverse("users:login"), {"username": user.username, "password": "x"})
        set_password_url = client.get(reset_link).url

        client.post(
            set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )

        assert log_in(client, user.username, NEW_PASSWORD)
        # Whoever guessed from elsewhere stays locked out there.
        response = elsewhere.post(
            reverse("users:login"), {"username": user.username, "password": NEW_PASSWORD}
        )
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS

    def test_it_lifts_the_lock_whatever_case_the_guesses_spelled_the_username_in(
        self, client, password
    ):
        user = UserFactory(username="MixedCase")
        for spelling in ["mixedcase", "MIXEDCASE", "MixedCase", "mixedCASE", "Mixedcase"]:
            client.post(reverse("users:login"), {"username": spelling, "password": "wrong"})
        assert not log_in(client, "mixedcase", password)  # locked: all five counted as one
        client.post(RESET_URL, {"email": user.email})
        (email,) = mail.outbox
        reset_link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)
        set_password_url = client.get(reset_link).url

        client.post(
            set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )

        assert log_in(client, "mixedcase", NEW_PASSWORD)

    def test_the_link_works_only_once(self, client, reset_link):
        set_password_url = client.get(reset_link).url
        client.post(
            set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )

        response = client.get(reset_link)

        assert response.status_code == HTTPStatus.OK
        assert response.context["validlink"] is False
        assert "This link does not work" in response.content.decode()

    def test_a_forged_link_does_not_work(self, client, user):
        response = client.get(reverse("users:password_reset_confirm", args=["MQ", "forged-token"]))
        assert response.context["validlink"] is False

    def test_a_mismatched_new_password_is_refused(self, client, reset_link):
        set_password_url = client.get(reset_link).url
        before = database_snapshot()

        response = client.post(
            set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "other-meadow-1"}
        )

        assert_field_error(response, "new_password2", PASSWORD_MISMATCH)
        assert database_snapshot() == before

    def test_an_unknown_address_sends_nothing_but_looks_the_same(self, client):
        UserFactory(email="someone@example.com")
        response = client.post(RESET_URL, {"email": "nobody@example.com"})
        assert response.url == reverse("users:password_reset_done")
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("email", "message"),
        [
            ("", "This field is required."),
            ("not-an-email", "Enter a valid email address."),
            ("a\x00@example.com", "Null characters are not allowed."),
        ],
    )
    def test_bad_address_is_refused(self, client, email, message):
        response = client.post(RESET_URL, {"email": email})
        assert_field_error(response, "email", message)
        assert mail.outbox == []


def main_text(response):
    """The page's <main>, which has no per-response token."""
    return re.search(r"<main.*</main>", response.content.decode(), re.DOTALL).group()


class TestPasswordResetThrottle:
    """Anyone may ask for a reset for any address: an account gets at most one email every
    PASSWORD_RESET_EMAIL_INTERVAL, and the answer is the same whether or not one was sent."""

    @staticmethod
    def age_last_email(user, by):
        User.objects.filter(pk=user.pk).update(
            password_reset_sent_at=F("password_reset_sent_at") - by
        )

    def test_asking_again_within_the_interval_sends_nothing_and_looks_the_same(self, client, user):
        first = client.post(RESET_URL, {"email": user.email}, follow=True)
        second = client.post(RESET_URL, {"email": user.email.upper()}, follow=True)

        assert len(mail.outbox) == 1
        assert second.redirect_chain == first.redirect_chain
        assert main_text(second) == main_text(first)
        assert "at most one link every 10 minutes" in second.content.decode()

    def test_the_first_link_still_works_after_a_refused_second_ask(self, client, user):
        client.post(RESET_URL, {"email": user.email})
        client.post(RESET_URL, {"email": user.email})

        (email,) = mail.outbox
        link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)
        assert client.get(client.get(link).url).context["validlink"] is True

    def test_once_the_interval_has_passed_another_email_goes(self, client, user):
        client.post(RESET_URL, {"email": user.email})
        self.age_last_email(user, PASSWORD_RESET_EMAIL_INTERVAL - timedelta(seconds=5))
        client.post(RESET_URL, {"email": user.email})
        assert len(mail.outbox) == 1

        self.age_last_email(user, timedelta(seconds=10))
        client.post(RESET_URL, {"email": user.email})

        assert len(mail.outbox) == 2
        assert [sent.to for sent in mail.outbox] == [[user.email], [user.email]]

    def test_each_account_has_its_own_interval(self, client, user):
        other = UserFactory()
        client.post(RESET_URL, {"email": user.email})
        client.post(RESET_URL, {"email": other.email})

        assert [sent.to for sent in mail.outbox] == [[user.email], [other.email]]

    def test_a_second_claim_within_the_interval_loses(self, user):
        assert claim_password_reset_email(user=user) is True
        assert claim_password_reset_email(user=user) is False
        user.refresh_from_db()
        assert user.password_reset_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_reset_email_goes_out_after_the_claim_is_committed(client, user):
    """Not inside the request's transaction: the claim's UPDATE would hold the user's row, which
    their own writes and logins wait for, as long as the mail server takes."""
    in_transaction = []
    send = mail.EmailMultiAlternatives.send

    def recording_send(message, *args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", recording_send):
        client.post(RESET_URL, {"email": user.email})

    assert in_transaction == [False]
    assert len(mail.outbox) == 1
