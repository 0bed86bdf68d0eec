import datetime
import json
import re
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models.deletion import Collector, ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import TagFactory, TodoFactory, UserFactory
from tests.helpers import messages_of, with_todo_permissions
from todos.admin_tools import SummarizedDeletionMixin
from todos.models import Tag, Todo
from users.admin import RECENT_TODOS_SHOWN, UserAdmin, UserChangeForm
from users.models import User

pytestmark = pytest.mark.django_db

USER_CHANGELIST = reverse("admin:users_user_changelist")
USER_ADD = reverse("admin:users_user_add")
TODO_CHANGELIST = reverse("admin:todos_todo_changelist")
# On PostgreSQL the paginator first asks pg_class for an estimate, then counts small tables.
ESTIMATE_QUERIES = 1 if connection.vendor == "postgresql" else 0


def change_url(user):
    return reverse("admin:users_user_change", args=[user.pk])


def listed_usernames(response):
    return {user.username for user in response.context["cl"].result_list}


def todos_created(owner, count, *, done=False):
    """`count` todos for `owner`, one a minute, the last created first in the list."""
    start = timezone.now() - datetime.timedelta(days=1)
    return [
        TodoFactory(
            owner=owner,
            title=f"todo {i}",
            completed=done,
            created_at=start + datetime.timedelta(minutes=i),
        )
        for i in range(count)
    ]


class _HiddenInputs(HTMLParser):
    def __init__(self, prefix):
        super().__init__()
        self.prefix, self.values = prefix, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name", "").startswith(self.prefix):
            self.values[attrs["name"]] = attrs.get("value") or ""


def inline_data(response):
    """The inline's inputs as the browser posts them back: management form, ids, owner."""
    parser = _HiddenInputs("todos-")
    parser.feed(response.content.decode())
    return parser.values


def user_change_data(client, user, **values):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "date_joined_0": user.date_joined.date().isoformat(),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "age": user.age,
        "city": user.city,
        "preferences": json.dumps(user.preferences),
        **inline_data(client.get(change_url(user))),
    }
    data.update(values)
    return data


def has_error(response, field, error):
    return any(error in message for message in response.context["adminform"].form.errors[field])


# The changelist


def test_changelist_shows_profile_and_todo_counts(admin_client):
    alice = UserFactory(username="alice", email="alice@example.com", age=33, city="Lyon")
    todos_created(alice, 2)
    todos_created(alice, 3, done=True)
    response = admin_client.get(USER_CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    row = next(user for user in response.context["cl"].result_list if user == alice)
    assert (row.open_todo_count, row.done_todo_count) == (2, 3)
    content = response.content.decode()
    for text in ("alice@example.com", "33", "Lyon"):
        assert text in content
    for done in (0, 1):
        link = f"{TODO_CHANGELIST}?{urlencode({'owner__id__exact': alice.pk, 'done__exact': done})}"
        assert link.replace("&", "&amp;") in content


def test_a_user_without_todos_counts_zero(admin_client):
    UserFactory(username="idle")
    response = admin_client.get(USER_CHANGELIST)
    idle = next(user for user in response.context["cl"].result_list if user.username == "idle")
    assert (idle.open_todo_count, idle.done_todo_count) == (0, 0)


@pytest.mark.parametrize("size", [1, 100])
def test_changelist_runs_a_constant_number_of_queries(
    admin_client, django_assert_num_queries, size
):
    for user in UserFactory.create_batch(size - 1):
        TodoFactory(owner=user)
        TodoFactory(owner=user, completed=True)
    # session, user, savepoint, count, page with both counts, savepoint release
    with django_assert_num_queries(6 + ESTIMATE_QUERIES):
        response = admin_client.get(USER_CHANGELIST)
    assert len(response.context["cl"].result_list) == size  # the admin is listed too


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ali", {"alice"}), ("bob@example", {"bob"}), ("oslo", {"carol"})],
)
def test_search_by_username_email_and_city(admin_client, query, expected):
    UserFactory(username="alice", city="Paris")
    UserFactory(username="bob", email="bob@example.org", city="Rome")
    UserFactory(username="carol", city="Oslo")
    assert listed_usernames(admin_client.get(USER_CHANGELIST, {"q": query})) == expected


@pytest.mark.parametrize("flag", ["is_staff", "is_active", "is_superuser"])
def test_flag_filters(admin_client, flag):
    UserFactory(username="flagged", **{flag: True})
    UserFactory(username="plain", is_staff=False, is_superuser=False, is_active=False)
    response = admin_client.get(USER_CHANGELIST, {f"{flag}__exact": 1})
    assert "flagged" in listed_usernames(response)
    assert "plain" not in listed_usernames(response)
    response = admin_client.get(USER_CHANGELIST, {f"{flag}__exact": 0})
    assert listed_usernames(response) >= {"plain"}
    assert "flagged" not in listed_usernames(response)


def test_filters_are_staff_active_and_superuser(admin_client):
    response = admin_client.get(USER_CHANGELIST)
    titles = [spec.title for spec in response.context["cl"].filter_specs]
    assert titles == ["staff status", "active", "superuser status"]


# The add form


def add_data(**values):
    data = {
        "username": "dora",
        "usable_password": "true",
        "password1": "a-long-and-unusual-password",
        "password2": "a-long-and-unusual-password",
        "email": "dora@example.com",
        "age": 41,
        "city": "Porto",
    }
    data.update(values)
    return data


def test_add_form_asks_for_email_age_and_city(admin_client):
    response = admin_client.get(USER_ADD)
    assert response.status_code == HTTPStatus.OK
    assert {"username", "password1", "password2", "email", "age", "city"} <= set(
        response.context["adminform"].form.fields
    )
    assert not response.context["inline_admin_formsets"]


def test_add_a_user_with_a_profile(admin_client):
    response = admin_client.post(USER_ADD, add_data())
    assert response.status_code == HTTPStatus.FOUND
    dora = User.objects.get(username="dora")
    assert (dora.email, dora.age, dora.city, dora.preferences) == (
        "dora@example.com",
        41,
        "Porto",
        {},
    )
    assert dora.check_password("a-long-and-unusual-password")


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        ({"age": 151}, "age", "less than or equal to 150"),
        ({"age": -1}, "age", "greater than or equal to 0"),
        ({"username": "ALICE"}, "username", "A user with that username already exists."),
        # The constraint is on LOWER(email): Django reports it for the form, not the field.
        ({"email": "ALICE@example.com"}, "__all__", "A user with that email already exists."),
        ({"password2": "something else"}, "password2", "password fields didn"),
    ],
)
def test_add_form_refuses_bad_input(admin_client, values, field, error):
    UserFactory(username="alice", email="alice@example.com")
    users_before = User.objects.count()
    response = admin_client.post(USER_ADD, add_data(**values))
    assert response.status_code == HTTPStatus.OK
    assert has_error(response, field, error)
    assert User.objects.count() == users_before


# The change form


def test_change_form_shows_the_profile_and_a_todo_summary(admin_client):
    alice = UserFactory()
    todos_created(alice, 2)
    todos_created(alice, 1, done=True)
    response = admin_client.get(change_url(alice))
    assert response.status_code == HTTPStatus.OK
    assert {"age", "city", "preferences"} <= set(response.context["adminform"].form.fields)
    content = response.content.decode()
    assert "2 open, 1 done" in content
    assert f"{TODO_CHANGELIST}?owner__id__exact={alice.pk}" in content


def test_change_the_profile(admin_client):
    alice = UserFactory(age=30, city="Paris")
    preferences = {"default_status": "active", "default_sort": "-priority", "page_size": 50}
    data = user_change_data(
        admin_client, alice, age=31, city="Nice", preferences=json.dumps(preferences)
    )
    response = admin_client.post(change_url(alice), data)
    assert response.status_code == HTTPStatus.FOUND
    alice.refresh_from_db()
    assert (alice.age, alice.city, alice.preferences) == (31, "Nice", preferences)


def test_the_last_password_reset_email_is_shown_and_cannot_be_changed(admin_client):
    sent_at = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=3)
    alice = UserFactory(password_reset_sent_at=sent_at)
    response = admin_client.get(change_url(alice))
    assert "password_reset_sent_at" not in response.context["adminform"].form.fields
    assert "Password reset email sent" in response.content.decode()

    data = user_change_data(admin_client, alice, password_reset_sent_at="2020-01-01 00:00:00")
    assert admin_client.post(change_url(alice), data).status_code == HTTPStatus.FOUND
    alice.refresh_from_db()
    assert alice.password_reset_sent_at == sent_at


def test_empty_preferences_are_stored_as_an_empty_object(admin_client):
    alice = UserFactory(preferences={"page_size": 50})
    admin_client.post(change_url(alice), user_change_data(admin_client, alice, preferences=""))
    alice.refresh_from_db()
    assert alice.preferences == {}


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        ({"age": 151}, "age", "less than or equal to 150"),
        ({"preferences": "{not json"}, "preferences", "Enter a valid JSON."),
        ({"preferences": "[1, 2]"}, "preferences", "Preferences must be a JSON object."),
        ({"preferences": '{"colour": "red"}'}, "preferences", "Unknown preference 'colour'."),
        ({"preferences": '{"page_size": 5}'}, "preferences", "5 is not a valid page_size."),
        ({"preferences": '{"page_size": true}'}, "preferences", "True is not a valid page_size."),
        ({"preferences": '{"page_size": 50.0}'}, "preferences", "50.0 is not a valid page_size."),
        ({"preferences": '{"page_size": "50"}'}, "preferences", "'50' is not a valid page_size."),
        (
            {"preferences": '{"default_sort": "random"}'},
            "preferences",
            "'random' is not a valid default_sort.",
        ),
        ({"preferences": "[" * 5000 + "]" * 5000}, "preferences", "Enter a valid JSON."),
        ({"username": ""}, "username", "This field is required."),
        ({"groups": ["9" * 23]}, "groups", f"“{'9' * 23}” is not a valid value."),
        ({"groups": ["abc"]}, "groups", "“abc” is not a valid value."),
    ],
)
def test_change_form_refuses_bad_input_and_changes_nothing(admin_client, values, field, error):
    alice = UserFactory(username="alice", age=30, preferences={"page_size": 20})
    data = user_change_data(admin_client, alice, **values)
    response = admin_client.post(change_url(alice), data)
    assert response.status_code == HTTPStatus.OK
    assert has_error(response, field, error)
    alice.refresh_from_db()
    assert (alice.username, alice.age, alice.preferences) == ("alice", 30, {"page_size": 20})


# The inline of recent todos


def inline_todos(response):
    (inline,) = response.context["inline_admin_formsets"]
    return [form.original for form in inline]


def test_inline_lists_only_the_most_recent_todos_newest_first(admin_client):
    alice = UserFactory()
    todos = todos_created(alice, RECENT_TODOS_SHOWN + 5)
    TodoFactory(title="someone else's")
    response = admin_client.get(change_url(alice))
    shown = inline_todos(response)
    assert shown == todos[::-1][:RECENT_TODOS_SHOWN]
    content = response.content.decode()
    for todo in shown:
        assert reverse("admin:todos_todo_change", args=[todo.pk]) in content
    assert "todo 0" not in {todo.title for todo in shown}


def test_inline_shows_done_priority_and_due_date_read_only(admin_client):
    alice = UserFactory()
    TodoFactory(owner=alice, due_date=datetime.date(2030, 4, 5), priority=3, completed=True)
    response = admin_client.get(change_url(alice))
    (inline,) = response.context["inline_admin_formsets"]
    assert not inline.has_change_permission
    assert not inline.has_add_permission
    assert not inline.has_delete_permission
    cells = dict(re.findall(r'<td class="field-(\w+)">\s*<p>(.*?)</p>', response.content.decode()))
    assert cells["done"].startswith('<img src="/static/admin/img/icon-yes.svg" alt="True"')
    assert cells["priority"] == "High"
    assert cells["due_date"] == "April 5, 2030"
    content = response.content.decode()
    assert 'name="todos-0-done"' not in content
    assert 'name="todos-0-DELETE"' not in content


def test_inline_reads_a_limited_page_of_todos(admin_client):
    alice = UserFactory()
    todos_created(alice, 3)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(change_url(alice))
    inline_queries = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "todos_todo"."id"') and "LIMIT" in query["sql"]
    ]
    assert len(inline_queries) == 1
    assert f"LIMIT {RECENT_TODOS_SHOWN}" in inline_queries[0]


@pytest.mark.parametrize("todos", [1, RECENT_TODOS_SHOWN + 10])
def test_change_page_runs_a_constant_number_of_queries(
    admin_client, django_assert_num_queries, todos
):
    alice = UserFactory()
    todos_created(alice, todos)
    admin_client.get(change_url(alice))  # warms the content type cache
    # savepoint, session, user, user with counts, the user's groups and permissions, inline
    # todos, release; then rendering lists every group and permission
    with django_assert_num_queries(10):
        response = admin_client.get(change_url(alice))
    assert len(inline_todos(response)) == min(todos, RECENT_TODOS_SHOWN)


def test_saving_the_user_leaves_the_inline_todos_alone(admin_client):
    alice = UserFactory()
    todos = todos_created(alice, 3)
    data = user_change_data(
        admin_client, alice, city="Nice", **{"todos-0-title": "Hacked", "todos-0-done": "on"}
    )
    assert data["todos-INITIAL_FORMS"] == "3"
    response = admin_client.post(change_url(alice), data)
    assert response.status_code == HTTPStatus.FOUND
    for todo in todos:
        before = (todo.title, todo.done, todo.version)
        todo.refresh_from_db()
        assert (todo.title, todo.done, todo.version) == before


def test_saving_works_when_newer_todos_pushed_the_shown_ones_out(admin_client):
    alice = UserFactory()
    todos_created(alice, RECENT_TODOS_SHOWN)
    data = user_change_data(admin_client, alice, city="Nice")
    TodoFactory.create_batch(RECENT_TODOS_SHOWN, owner=alice)
    response = admin_client.post(change_url(alice), data)
    assert response.status_code == HTTPStatus.FOUND
    alice.refresh_from_db()
    assert alice.city == "Nice"
    assert alice.todos.count() == 2 * RECENT_TODOS_SHOWN


# Deleting users: past a hundred objects taken with them, the confirmation counts them.

LISTED_MAX = SummarizedDeletionMixin.deletion_listed_max


def delete_url(user):
    return reverse("admin:users_user_delete", args=[user.pk])


def owner_of(todos, *, tags):
    """A user with `todos` todos, each carrying all `tags` of the user's tags."""
    owner = UserFactory()
    TodoFactory.create_batch(todos, owner=owner, tags=TagFactory.create_batch(tags, owner=owner))
    return owner


def test_deleting_a_user_with_many_todos_counts_them_instead_of_listing_each(admin_client):
    owner = owner_of(LISTED_MAX, tags=2)
    response = admin_client.get(delete_url(owner))
    assert dict(response.context["model_count"]) == {
        "users": 1,
        "tags": 2,
        "todos": LISTED_MAX,
        "todo-tag relationships": 2 * LISTED_MAX,  # each once, though reached by todo and tag
    }
    assert response.context["deleted_objects"] == [
        f'User: <a href="{change_url(owner)}">{owner.username}</a>',
        f"With them, not listed one by one: 2 tags, {LISTED_MAX} todos, "
        f"{2 * LISTED_MAX} todo-tag relationships.",
    ]
    assert "Todo: <a" not in response.content.decode()
    assert not response.context["perms_lacking"]


def test_the_counts_of_what_goes_with_a_deletion_say_one_in_the_singular(admin_client):
    owner = owner_of(LISTED_MAX, tags=1)
    response = admin_client.get(delete_url(owner))
    assert response.context["deleted_objects"][1] == (
        f"With them, not listed one by one: 1 tag, {LISTED_MAX} todos, "
        f"{LISTED_MAX} todo-tag relationships."
    )


@pytest.mark.parametrize(("todos", "listed"), [(LISTED_MAX, LISTED_MAX), (LISTED_MAX + 1, 0)])
def test_a_user_with_up_to_a_hundred_todos_gets_djangos_list_of_each(admin_client, todos, listed):
    response = admin_client.get(delete_url(owner_of(todos, tags=0)))
    assert response.content.decode().count("Todo: <a") == listed
    assert dict(response.context["model_count"]) == {"users": 1, "todos": todos}


def test_the_count_of_what_goes_takes_the_same_queries_for_any_number_of_todos(admin_client):
    def queries(owner):
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(delete_url(owner))
        return len(captured)

    assert queries(owner_of(LISTED_MAX + 1, tags=1)) == queries(owner_of(3 * LISTED_MAX, tags=2))


def test_deleting_a_user_with_many_todos_deletes_them_and_nothing_else(admin_client):
    owner, kept = owner_of(LISTED_MAX + 1, tags=1), owner_of(1, tags=1)
    response = admin_client.post(delete_url(owner), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(pk=owner.pk).exists()
    assert set(Todo.objects.values_list("owner", flat=True)) == {kept.pk}
    assert set(Tag.objects.values_list("owner", flat=True)) == {kept.pk}
    assert Todo.tags.through.objects.count() == 1


def test_deleting_several_users_counts_what_goes_with_all_of_them(admin_client):
    first, second = owner_of(LISTED_MAX, tags=1), owner_of(1, tags=1)
    response = admin_client.post(
        USER_CHANGELIST, {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}
    )
    assert dict(response.context["model_count"]) == {
        "users": 2,
        "tags": 2,
        "todos": LISTED_MAX + 1,
        "todo-tag relationships": LISTED_MAX + 1,
    }
    assert User.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_staff_who_may_not_delete_todos_may_not_delete_a_user_who_has_many(client, staff):
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "delete_user"])
    )
    client.force_login(staff)
    owner = owner_of(LISTED_MAX + 1, tags=0)
    assert client.get(delete_url(owner)).context["perms_lacking"] == {"todo"}
    assert client.post(delete_url(owner), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert Todo.objects.filter(owner=owner).count() == LISTED_MAX + 1


def test_a_deletion_something_protects_gets_djangos_page_naming_it(admin_client, monkeypatch):
    owner = owner_of(LISTED_MAX + 1, tags=0)
    protecting = Todo.objects.filter(owner=owner).first()

    # No relation in the schema protects a user yet: deletion is told one does.
    def refuse(collector, objs, *args, **kwargs):
        raise ProtectedError("protected", {protecting})

    monkeypatch.setattr(Collector, "collect", refuse)
    response = admin_client.get(delete_url(owner))
    assert response.context["protected"] == [
        f'Todo: <a href="{reverse("admin:todos_todo_change", args=[protecting.pk])}">'
        f"{protecting}</a>"
    ]


@with_todo_permissions
def test_todo_counts_show_only_to_staff_who_may_see_todos(
    client, staff, todo_permissions, sees_todos
):
    codenames = ["view_user", *todo_permissions]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    owner = owner_of(3, tags=0)
    changelist = client.get(reverse("admin:users_user_changelist"))
    change_page = client.get(change_url(owner))
    columns = {header["class_attrib"] for header in changelist.context["result_headers"]}
    assert (' class="column-open_todos"' in columns) is sees_todos
    assert (' class="column-done_todos"' in columns) is sees_todos
    fieldset_names = [fieldset.name for fieldset in change_page.context["adminform"]]
    assert ("Todos" in fieldset_names) is sees_todos
    assert ("3 open, 0 done" in change_page.content.decode()) is sees_todos


def test_a_preference_stored_for_another_feature_does_not_block_saving(admin_client):
    """The profile form keeps keys it does not know; the admin keeps them too."""
    alice = UserFactory(preferences={"theme": "dark", "page_size": 20})
    data = user_change_data(admin_client, alice, city="Nice")
    del data["is_active"]  # unticked

    response = admin_client.post(change_url(alice), data)

    assert response.status_code == HTTPStatus.FOUND
    alice.refresh_from_db()
    assert (alice.is_active, alice.city) == (False, "Nice")
    assert alice.preferences == {"theme": "dark", "page_size": 20}


def test_a_new_unknown_preference_is_still_refused_beside_a_stored_one(admin_client):
    alice = UserFactory(preferences={"theme": "dark"})
    data = user_change_data(admin_client, alice, preferences='{"theme": "dark", "colour": "red"}')
    response = admin_client.post(change_url(alice), data)
    assert has_error(response, "preferences", "Unknown preference 'colour'.")


def test_a_save_of_a_user_deleted_meanwhile_does_not_bring_them_back(admin_client, monkeypatch):
    user = UserFactory(username="leaving")
    data = user_change_data(admin_client, user, city="Oslo")
    # Deleted between the page's lookup of the user and the form's check.
    original = UserChangeForm.clean_preferences

    def deleted_first(form):
        User.objects.filter(pk=user.pk).delete()
        return original(form)

    monkeypatch.setattr(UserChangeForm, "clean_preferences", deleted_first)
    response = admin_client.post(change_url(user), data)
    assert response.status_code == HTTPStatus.OK
    assert "This user was deleted meanwhile" in response.content.decode()
    assert not User.objects.filter(username="leaving").exists()


def test_a_password_set_for_a_user_deleted_meanwhile_does_not_bring_them_back(
    admin_client, monkeypatch
):
    user = UserFactory(username="leaving")
    original = auth_forms.AdminPasswordChangeForm.clean

    def deleted_first(form):
        User.objects.filter(pk=user.pk).delete()
        return original(form)

    monkeypatch.setattr(auth_forms.AdminPasswordChangeForm, "clean", deleted_first)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    new_password = "lantern-meadow-29"
    response = admin_client.post(url, {"password1": new_password, "password2": new_password})
    assert response.status_code == HTTPStatus.OK
    assert "This user was deleted meanwhile; no password was set." in response.content.decode()
    assert not User.objects.filter(username="leaving").exists()


def test_deleting_a_user_other_staff_deleted_meanwhile_says_it_is_done(admin_client, monkeypatch):
    user = UserFactory(username="leaving")
    original = UserAdmin.log_deletions

    def deleted_first(model_admin, request, queryset):
        User.objects.filter(pk=user.pk).delete()
        return original(model_admin, request, queryset)

    monkeypatch.setattr(UserAdmin, "log_deletions", deleted_first)
    response = admin_client.post(
        reverse("admin:users_user_delete", args=[user.pk]), {"post": "yes"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert messages_of(response) == ["The user “leaving” was deleted successfully."]
    assert not User.objects.filter(username="leaving").exists()
