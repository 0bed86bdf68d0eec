"""A request that found its user, then writes after the account was deleted (in another tab):
nothing is written, the account does not come back, and the page says why."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.core import mail
from django.urls import reverse

from tests.factories import TodoFactory
from tests.helpers import messages_of
from todos.forms import TodoEditForm, TodoForm
from todos.models import Todo
from users.forms import AccountDeleteForm, ProfileForm, ThrottledPasswordChangeForm
from users.models import User
from users.views import ProfileView

pytestmark = pytest.mark.django_db

GONE = "Your account was deleted meanwhile, so that was not saved."
NEW_PASSWORD = "lantern-meadow-29"


@pytest.fixture
def delete_account_in_clean(monkeypatch, user):
    """Deletes `user`, with their todos, once `form_class` has validated the request."""

    def arrange(form_class):
        clean = form_class.clean

        def clean_then_delete(form):
            cleaned_data = clean(form)
            User.objects.filter(pk=user.pk).delete()
            return cleaned_data

        monkeypatch.setattr(form_class, "clean", clean_then_delete)

    return arrange


def assert_logged_out_with(client, response, message):
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("users:login")
    assert messages_of(response) == [message]
    assert "_auth_user_id" not in client.session


def test_adding_a_todo_adds_nothing_and_logs_out(user_client, user, delete_account_in_clean):
    delete_account_in_clean(TodoForm)
    response = user_client.post(reverse("todos:create"), {"title": "Orphan", "tags": "new"})
    assert_logged_out_with(user_client, response, GONE)
    assert not Todo.objects.exists()
    assert not User.objects.exists()


def test_adding_a_todo_under_htmx_sends_the_whole_page_to_log_in(
    user_client, user, delete_account_in_clean
):
    delete_account_in_clean(TodoForm)
    response = user_client.post(
        reverse("todos:create"), {"title": "Orphan"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == reverse("users:login")
    assert not Todo.objects.exists()


def test_editing_a_todo_is_refused_the_same_way(user_client, user, delete_account_in_clean):
    todo = TodoFactory(owner=user)
    delete_account_in_clean(TodoEditForm)
    data = {"title": "Renamed", "priority": 2, "version": todo.version}
    response = user_client.post(reverse("todos:update", args=[todo.pk]), data)
    assert_logged_out_with(user_client, response, GONE)
    assert not Todo.objects.exists()


def test_saving_the_profile_does_not_bring_the_account_back(
    user_client, user, delete_account_in_clean
):
    delete_account_in_clean(ProfileForm)
    data = {"email": user.email, "city": "Lyon", "default_status": "all", "page_size": "25"}
    response = user_client.post(reverse("users:profile"), {**data, "default_sort": "-created"})
    assert_logged_out_with(user_client, response, GONE)
    assert not User.objects.exists()


def test_changing_the_password_does_not_bring_the_account_back(
    user_client, user, password, delete_account_in_clean
):
    delete_account_in_clean(ThrottledPasswordChangeForm)
    data = {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = user_client.post(reverse("users:password_change"), data)
    assert_logged_out_with(user_client, response, GONE)
    assert not User.objects.exists()


def test_deleting_an_account_deleted_meanwhile_says_so(
    user_client, user, password, delete_account_in_clean
):
    delete_account_in_clean(AccountDeleteForm)
    response = user_client.post(reverse("users:delete"), {"password": password})
    assert_logged_out_with(user_client, response, "Your account was already deleted.")


def test_a_reset_link_does_not_bring_the_account_back(client, user, delete_account_in_clean):
    client.post(reverse("users:password_reset"), {"email": user.email})
    (email,) = mail.outbox
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body).group(1)
    set_password_url = client.get(link).url
    delete_account_in_clean(SetPasswordForm)
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("users:login")
    assert messages_of(response) == ["That account was deleted meanwhile: no password was set."]
    assert not User.objects.exists()


def test_the_profile_page_of_an_account_deleted_meanwhile_says_so(user_client, user, monkeypatch):
    original = ProfileView.get_object

    def deleted_first(view, queryset=None):
        User.objects.filter(pk=user.pk).delete()
        return original(view, queryset)

    monkeypatch.setattr(ProfileView, "get_object", deleted_first)
    response = user_client.get(reverse("users:profile"))
    assert_logged_out_with(user_client, response, "Your account was deleted meanwhile.")
