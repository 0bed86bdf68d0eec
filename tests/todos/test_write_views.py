import datetime
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import TagFactory, TodoFactory
from tests.helpers import database_snapshot, messages_of
from tests.todos.conftest import HTMX
from todos.forms import TodoEditForm
from todos.models import Priority, Tag, Todo
from todos.services import TodoChangedElsewhere

pytestmark = pytest.mark.django_db

LIST_URL = reverse("todos:list")
CREATE_URL = reverse("todos:create")


def last_message(response):
    return messages_of(response)[-1]


def edit_data(todo, **changes):
    data = {
        "title": todo.title,
        "description": todo.description,
        "due_date": todo.due_date.isoformat() if todo.due_date else "",
        "priority": todo.priority,
        "tags": ", ".join(todo.tags.values_list("name", flat=True)),
        "version": todo.version,
    }
    if todo.done:
        data["done"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Create


def test_quick_add_creates_my_todo_and_goes_back_to_the_same_list(user_client, user):
    response = user_client.post(
        f"{CREATE_URL}?status=active&q=milk&csrf=1", {"title": "  Buy milk "}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{LIST_URL}?status=active&q=milk"
    todo = Todo.objects.get()
    assert (todo.owner, todo.title, todo.priority, todo.done, todo.version) == (
        user,
        "Buy milk",
        Priority.NORMAL,
        False,
        1,
    )
    assert messages_of(response) == ["Added “Buy milk”."]


def test_full_form_creates_a_todo_with_all_fields_and_tags(user_client, user):
    work = TagFactory(owner=user, name="Work")
    TagFactory(name="home")  # another user's tag of that name is not reused
    response = user_client.post(
        CREATE_URL,
        {
            "title": "Report",
            "description": "Quarterly",
            "due_date": "2030-01-31",
            "priority": Priority.HIGH,
            "tags": "work, home, Home",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    todo = Todo.objects.get()
    assert (todo.description, todo.due_date, todo.priority) == (
        "Quarterly",
        datetime.date(2030, 1, 31),
        Priority.HIGH,
    )
    assert {tag.pk for tag in todo.tags.all()} >= {work.pk}
    assert sorted(todo.tags.values_list("name", flat=True)) == ["Work", "home"]
    assert Tag.objects.for_user(user).count() == 2


def test_new_todo_page_renders_the_full_form(user_client):
    response = user_client.get(CREATE_URL)
    assert response.status_code == HTTPStatus.OK
    for field in ("title", "description", "due_date", "priority", "tags"):
        assert f'name="{field}"'.encode() in response.content
    assert b'name="version"' not in response.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "    "}, "This field is required."),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"title": "a\x00b"}, "Null characters are not allowed."),
        ({"title": "ok", "description": "\x00"}, "Null characters are not allowed."),
        ({"title": "ok", "due_date": "31/31/2031"}, "Enter a valid date."),
        ({"title": "ok", "priority": "9"}, "Select a valid choice."),
        ({"title": "ok", "tags": "y" * 51}, "Tag names can be at most 50 characters"),
        ({"title": "ok", "tags": ",".join("abcdefghijk")}, "A todo can have at most 10 tags"),
        ({"title": "ok", "tags": "ok, b\x00d"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_on_create_shows_the_error_and_saves_nothing(user_client, data, message):
    before = database_snapshot()
    response = user_client.post(CREATE_URL, data)
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert database_snapshot() == before


def test_bad_quick_add_without_js_shows_the_full_form_with_the_input_kept(user_client):
    response = user_client.post(CREATE_URL, {"title": "x" * 201})
    assert response.templates[0].name == "todos/todo_form.html"
    assert ("x" * 201).encode() in response.content
    # The quick add sent no priority: the form shows the one it would save, not the first.
    selected = re.findall(r'<option value="(\d)" selected>', response.content.decode())
    assert selected == [str(Priority.NORMAL)]


KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')


def test_each_add_form_carries_a_new_key(user_client):
    keys = [KEY.search(user_client.get(url).content.decode()) for url in (LIST_URL, LIST_URL)]
    keys.append(KEY.search(user_client.get(CREATE_URL).content.decode()))
    assert all(keys)
    assert len({key.group(1) for key in keys}) == 3


def test_a_form_sent_twice_adds_one_todo(user_client, user):
    key = KEY.search(user_client.get(LIST_URL).content.decode()).group(1)
    data = {"title": "Buy milk", "tags": "shop", "idempotency_key": key}
    first = user_client.post(CREATE_URL, data)
    second = user_client.post(CREATE_URL, data)  # the double click's second request
    assert Todo.objects.filter(owner=user).count() == 1
    assert Tag.objects.filter(owner=user).count() == 1
    # The browser shows the second answer, which says so (with the first one's message if
    # that one reached it).
    assert second.url == first.url == LIST_URL
    assert messages_of(second) == ["Added “Buy milk”.", "“Buy milk” was added already."]


@pytest.mark.parametrize(
    "changed",
    [{"description": "Semi-skimmed"}, {"tags": "shop, dairy"}, {"priority": "3"}],
    ids=["description", "tags", "priority"],
)
def test_a_form_sent_again_with_anything_changed_adds_another_todo(user_client, user, changed):
    # The full form kept (Back), edited and sent again: what was changed is not dropped.
    key = KEY.search(user_client.get(CREATE_URL).content.decode()).group(1)
    data = {"title": "Buy milk", "tags": "shop", "priority": "2", "idempotency_key": key}
    user_client.post(CREATE_URL, data)
    response = user_client.post(CREATE_URL, {**data, **changed})
    assert Todo.objects.filter(owner=user).count() == 2
    assert messages_of(response)[-1] == "Added “Buy milk”."


def test_a_key_sent_again_with_another_title_adds_that_todo_too(user_client, user):
    # The form's page kept (Back) and used again for another todo.
    key = KEY.search(user_client.get(LIST_URL).content.decode()).group(1)
    user_client.post(CREATE_URL, {"title": "Buy milk", "idempotency_key": key})
    user_client.post(CREATE_URL, {"title": "Buy bread", "idempotency_key": key})
    titles = Todo.objects.filter(owner=user).order_by("pk").values_list("title", "idempotency_key")
    assert [(title, str(sent) if sent else None) for title, sent in titles] == [
        ("Buy milk", key),
        ("Buy bread", None),
    ]


def test_the_same_key_is_another_users_own(client, user, other_user):
    key = "0b4c8a4e-8e9d-4a63-9a39-0f1c6f0c2b11"
    for owner in (user, other_user):
        client.force_login(owner)
        client.post(CREATE_URL, {"title": "Buy milk", "idempotency_key": key})
    assert Todo.objects.count() == 2


@pytest.mark.parametrize("key", ["", "not-a-key", "\x00"])
def test_a_missing_or_malformed_key_adds_the_todo_without_a_word(user_client, user, key):
    response = user_client.post(CREATE_URL, {"title": "Buy milk", "idempotency_key": key})
    assert response.status_code == HTTPStatus.FOUND
    assert Todo.objects.get(owner=user).idempotency_key is None


def test_the_edit_form_has_no_key(user_client, user):
    todo = TodoFactory(owner=user)
    page = user_client.get(reverse("todos:update", args=[todo.pk])).content.decode()
    assert "idempotency_key" not in page


def test_quick_add_with_htmx_returns_the_list_fragment_with_counters(user_client, user):
    TodoFactory(owner=user, completed=True)
    response = user_client.post(f"{CREATE_URL}?status=all", {"title": "Fresh"}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert '<section id="todo-app"' in content
    assert "<html" not in content
    assert "Fresh" in content
    assert "<strong>1</strong> item left" in content
    assert "Added “Fresh”." in content  # the out-of-band messages
    assert 'value=""' in content  # the quick-add box is empty again
    assert "<title>My todos · Todos</title>" in content  # no "Error:" left from a failed add


def test_a_todo_added_where_the_list_shows_it_gets_the_plain_message(user_client, user):
    TodoFactory.create_batch(3, owner=user, title="Older")
    response = user_client.post(f"{CREATE_URL}?status=active&q=milk", {"title": "Buy milk"})
    assert messages_of(response) == ["Added “Buy milk”."]


@pytest.mark.parametrize(
    "query",
    [
        "status=completed",  # a new todo is active
        "q=bread",  # the search does not match its title
        "tag=work",  # a quick add gives no tags
        "page=2&per_page=10",  # the newest todo is on the first page
        "sort=title&per_page=10",  # "Zebra" sorts after the first page
    ],
)
def test_a_todo_added_where_the_list_does_not_show_it_says_so_and_links_to_it(
    user_client, user, query
):
    TodoFactory.create_batch(12, owner=user, title="Apple")
    TagFactory(owner=user, name="work")
    response = user_client.post(f"{CREATE_URL}?{query}", {"title": "Zebra <b>"})
    todo = Todo.objects.get(title="Zebra <b>")
    assert response.url == f"{LIST_URL}?{query}"
    assert messages_of(response) == [
        f"Added “Zebra &lt;b&gt;”, which this page of the list does not show: "
        f'<a href="{todo.get_absolute_url()}">open it</a>.'
    ]
    page = user_client.get(response.url).content.decode()
    assert f'<a href="{todo.get_absolute_url()}">open it</a>' in page
    assert f'id="todo-{todo.pk}"' not in page


def test_a_todo_added_with_htmx_where_the_list_does_not_show_it_links_to_it(user_client, user):
    response = user_client.post(f"{CREATE_URL}?status=completed", {"title": "Hidden"}, headers=HTMX)
    todo = Todo.objects.get()
    content = response.content.decode()
    assert f'id="todo-{todo.pk}"' not in content
    assert (
        f"Added “Hidden”, which this page of the list does not show: "
        f'<a href="{todo.get_absolute_url()}">open it</a>.'
    ) in content


def test_bad_quick_add_with_htmx_shows_the_error_in_the_fragment(user_client):
    response = user_client.post(CREATE_URL, {"title": "  "}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert '<section id="todo-app"' in content
    assert "This field is required." in content
    assert 'aria-invalid="true"' in content
    assert "<title>Error: My todos · Todos</title>" in content  # htmx sets the page's title
    assert not Todo.objects.exists()


# Edit


def test_edit_page_shows_the_form_with_the_version(user_client, todo):
    response = user_client.get(reverse("todos:update", args=[todo.pk]))
    assert response.status_code == HTTPStatus.OK
    assert f'name="version" value="{todo.version}"'.encode() in response.content
    assert b'name="done"' in response.content


def test_saving_the_edit_form_saves_bumps_the_version_and_goes_back_to_the_list(
    user_client, user, todo
):
    TodoFactory.create_batch(25, owner=user, title="Another")  # a second page of 25
    url = reverse("todos:update", args=[todo.pk]) + "?sort=title&page=2"
    response = user_client.post(url, edit_data(todo, title="Buy oat milk", tags="shop, Home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{LIST_URL}?sort=title&page=2"
    assert messages_of(response) == ["Saved “Buy oat milk”."]
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Buy oat milk", 2)
    assert sorted(todo.tags.values_list("name", flat=True)) == ["Home", "shop"]


def test_edit_reuses_the_users_tags_ignoring_case(user_client, user, todo):
    home = TagFactory(owner=user, name="Home")
    user_client.post(reverse("todos:update", args=[todo.pk]), edit_data(todo, tags="HOME"))
    assert list(todo.tags.all()) == [home]
    assert Tag.objects.count() == 1


def test_edit_can_remove_all_tags(user_client, user):
    todo = TodoFactory(owner=user, tags=[TagFactory(owner=user)])
    user_client.post(reverse("todos:update", args=[todo.pk]), edit_data(todo, tags=""))
    assert not todo.tags.exists()
    assert Tag.objects.count() == 1  # the tag itself stays


def test_completing_in_the_edit_form_sets_completed_at_and_reopening_clears_it(user_client, todo):
    url = reverse("todos:update", args=[todo.pk])
    user_client.post(url, edit_data(todo, done="on"))
    todo.refresh_from_db()
    assert todo.done
    assert todo.completed_at is not None
    user_client.post(url, edit_data(todo, done=None))
    todo.refresh_from_db()
    assert (todo.done, todo.completed_at, todo.version) == (False, None, 3)


def test_edit_conflict_keeps_the_first_save_and_refuses_the_second(user_client, user, todo):
    url = reverse("todos:update", args=[todo.pk])
    # Two tabs load the form at version 1.
    first_tab = user_client.get(url).context["form"]
    second_tab = user_client.get(url).context["form"]
    assert first_tab["version"].value() == second_tab["version"].value() == 1

    first = user_client.post(url, edit_data(todo, title="From tab one", tags="one"))
    assert first.status_code == HTTPStatus.FOUND

    second = user_client.post(
        url, edit_data(todo, title="From tab two", description="mine", tags="two", version=1)
    )

    assert second.status_code == HTTPStatus.OK
    content = second.content.decode()
    assert "Someone changed this todo since you opened it" in content
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("From tab one", 2)
    assert list(todo.tags.values_list("name", flat=True)) == ["one"]
    assert not Tag.objects.filter(name="two").exists()
    # The user's input is kept in the form, with the version it can now be saved at...
    form = second.context["form"]
    assert form["title"].value() == "From tab two"
    assert form["description"].value() == "mine"
    assert form["tags"].value() == "two"
    assert form["version"].value() == "2"
    # ...and the current values are shown next to it.
    assert second.context["current"].title == "From tab one"
    assert "Saved now (version 2)" in content

    third = user_client.post(url, form.data)
    assert third.status_code == HTTPStatus.FOUND
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("From tab two", 3)


def test_the_same_edit_sent_twice_is_saved_once_without_a_conflict(user_client, user):
    todo = TodoFactory(owner=user, title="Buy milk", tags=[TagFactory(owner=user, name="home")])
    url = reverse("todos:update", args=[todo.pk])
    data = edit_data(todo, title="Buy oat milk", tags="home, shop", priority=Priority.HIGH)
    assert user_client.post(url, data).status_code == HTTPStatus.FOUND

    again = user_client.post(url, data)  # the same version: a double click on Save

    assert again.status_code == HTTPStatus.FOUND
    assert last_message(again) == "Saved “Buy oat milk”."
    todo.refresh_from_db()
    assert (todo.title, todo.priority, todo.version) == ("Buy oat milk", Priority.HIGH, 2)
    assert sorted(todo.tags.values_list("name", flat=True)) == ["home", "shop"]


def test_the_same_edit_sent_twice_with_a_tag_in_another_case_is_saved_once(user_client, user):
    TagFactory(owner=user, name="home")
    todo = TodoFactory(owner=user, title="Buy milk")
    url = reverse("todos:update", args=[todo.pk])
    data = edit_data(todo, tags="Home")  # saved as the existing "home"
    assert user_client.post(url, data).status_code == HTTPStatus.FOUND
    again = user_client.post(url, data)
    assert again.status_code == HTTPStatus.FOUND
    todo.refresh_from_db()
    assert (todo.version, [tag.name for tag in todo.tags.all()]) == (2, ["home"])


@pytest.mark.parametrize(
    "differs", [{"title": "Buy soy milk"}, {"tags": "home"}, {"due_date": "2030-01-01"}]
)
def test_a_second_edit_that_differs_from_the_saved_one_is_still_a_conflict(
    user_client, user, differs
):
    todo = TodoFactory(owner=user, title="Buy milk", due_date=None)
    url = reverse("todos:update", args=[todo.pk])
    first = edit_data(todo, title="Buy oat milk", tags="home, shop")
    assert user_client.post(url, first).status_code == HTTPStatus.FOUND
    response = user_client.post(url, {**first, **differs})
    assert response.status_code == HTTPStatus.OK
    assert "Someone changed this todo since you opened it" in response.content.decode()
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Buy oat milk", 2)


def test_a_toggle_elsewhere_also_makes_an_open_edit_form_stale(user_client, todo):
    url = reverse("todos:update", args=[todo.pk])
    data = edit_data(todo, title="Edited")
    user_client.post(reverse("todos:toggle", args=[todo.pk]), {"done": "1"})
    response = user_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    todo.refresh_from_db()
    assert (todo.title, todo.done) == ("Buy milk", True)


@pytest.mark.parametrize(
    ("tag_change", "tags_now"),
    [
        (
            lambda client, tag: client.post(
                reverse("todos:tag_update", args=[tag.pk]), {"name": "job"}
            ),
            ["job"],
        ),
        (
            lambda client, tag: client.post(
                reverse("todos:tag_update", args=[tag.pk]), {"name": "home"}
            ),
            ["home"],
        ),
        (lambda client, tag: client.post(reverse("todos:tag_delete", args=[tag.pk])), []),
    ],
    ids=["rename", "merge", "delete"],
)
def test_a_tag_changed_elsewhere_makes_an_open_edit_form_stale(
    user_client, user, tag_change, tags_now
):
    work = TagFactory(owner=user, name="work")
    TagFactory(owner=user, name="home")
    todo = TodoFactory(owner=user, tags=[work])
    url = reverse("todos:update", args=[todo.pk])
    data = edit_data(todo, title="Edited")  # the form as loaded: tagged "work"
    assert tag_change(user_client, work).status_code == HTTPStatus.FOUND

    response = user_client.post(url, data)

    assert response.status_code == HTTPStatus.OK
    assert "Someone changed this todo since you opened it" in response.content.decode()
    todo.refresh_from_db()
    assert todo.title != "Edited"
    assert list(todo.tags.values_list("name", flat=True)) == tags_now
    assert not Tag.objects.filter(owner=user, name="work").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "\x00"},
        {"due_date": "soon"},
        {"priority": "0"},
        {"tags": "z" * 60},
        {"version": "abc"},
        {"version": None},
    ],
)
def test_bad_input_on_edit_saves_nothing(user_client, todo, changes):
    before = database_snapshot()
    response = user_client.post(reverse("todos:update", args=[todo.pk]), edit_data(todo, **changes))
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors
    assert database_snapshot() == before


def test_a_missing_version_is_reported_on_the_page(user_client, todo):
    response = user_client.post(
        reverse("todos:update", args=[todo.pk]), edit_data(todo, version=None)
    )
    assert b"This form is out of date" in response.content


# Detail and delete


def test_detail_shows_the_todo_with_its_tags(user_client, user):
    todo = TodoFactory(owner=user, title="See me", tags=[TagFactory(owner=user, name="home")])
    response = user_client.get(reverse("todos:detail", args=[todo.pk]) + "?q=see")
    assert response.status_code == HTTPStatus.OK
    assert b"See me" in response.content
    assert b"home" in response.content
    assert b'href="/todos/?q=see"' in response.content


def test_detail_reads_in_three_queries_and_no_transaction(
    user_client, user, django_assert_num_queries
):
    todo = TodoFactory(owner=user, tags=TagFactory.create_batch(3, owner=user))
    # Session, user, the todo with its tag names: a read-only page skips ATOMIC_REQUESTS'
    # savepoint.
    with django_assert_num_queries(3):
        response = user_client.get(reverse("todos:detail", args=[todo.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response.content.count(b'class="tag"') == 3


def test_detail_lists_the_tags_by_name_each_linking_to_the_list_of_its_todos(user_client, user):
    tags = [TagFactory(owner=user, name=name) for name in ("work", "b&b", "home")]
    todo = TodoFactory(owner=user, tags=tags)
    response = user_client.get(reverse("todos:detail", args=[todo.pk]))
    content = response.content.decode()
    links = [
        '<a class="tag" href="/todos/?tag=b%26b">b&amp;b</a>',
        '<a class="tag" href="/todos/?tag=home">home</a>',
        '<a class="tag" href="/todos/?tag=work">work</a>',
    ]
    assert all(link in content for link in links)
    assert [content.index(link) for link in links] == sorted(content.index(link) for link in links)


def test_detail_of_an_untagged_todo_says_none(user_client, user):
    todo = TodoFactory(owner=user)
    response = user_client.get(reverse("todos:detail", args=[todo.pk]))
    assert '<dt>Tags</dt>\n    <dd class="tags">None</dd>' in response.content.decode()


def test_a_toggle_that_takes_the_row_out_of_the_list_returns_to_the_lists_start(user_client, todo):
    # Done under "Active": the row is gone from the list, and an anchor to it would be the top.
    url = reverse("todos:toggle", args=[todo.pk]) + "?status=active"
    response = user_client.post(url, {"done": "1"})
    assert response.url == f"{LIST_URL}?status=active#todo-list"
    assert 'id="todo-list"' in user_client.get(response.url).content.decode()


def test_delete_asks_first_then_deletes(user_client, todo):
    url = reverse("todos:delete", args=[todo.pk])
    response = user_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"Delete this todo?" in response.content
    assert Todo.objects.exists()

    response = user_client.post(url + "?status=active")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{LIST_URL}?status=active#todo-list"  # not the top of the page
    assert messages_of(response) == ["Deleted “Buy milk”."]
    assert not Todo.objects.exists()


def test_delete_keeps_the_tags(user_client, user):
    tag = TagFactory(owner=user)
    todo = TodoFactory(owner=user, tags=[tag])
    user_client.post(reverse("todos:delete", args=[todo.pk]))
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_delete_with_htmx_returns_the_list_without_it_and_right_counters(user_client, user):
    kept = TodoFactory(owner=user, title="Kept")
    gone = TodoFactory(owner=user, title="Gone")
    response = user_client.post(reverse("todos:delete", args=[gone.pk]), headers=HTMX)
    content = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert f'id="todo-{kept.pk}"' in content
    assert f'id="todo-{gone.pk}"' not in content
    assert "<strong>1</strong> item left" in content
    assert "Deleted “Gone”." in content


def test_emptying_the_last_page_in_place_puts_the_page_shown_in_the_address_bar(user_client, user):
    TodoFactory.create_batch(10, owner=user)
    last = TodoFactory(owner=user)  # page 2 of 10 a page, oldest first
    url = reverse("todos:delete", args=[last.pk]) + "?sort=created&per_page=10&page=2"
    response = user_client.post(url, headers=HTMX)
    assert response.context["page_obj"].number == 1
    assert response["HX-Replace-Url"] == f"{LIST_URL}?sort=created&page=1&per_page=10"
    # The fragment's forms act on the page shown too, not on the emptied one.
    actions = re.findall(r'action="([^"]*)"', response.content.decode())
    assert actions
    assert all("page=1" in action and "page=2" not in action for action in actions)


def test_emptying_the_last_page_without_javascript_goes_back_to_the_page_shown(user_client, user):
    TodoFactory.create_batch(10, owner=user)
    last = TodoFactory(owner=user)  # page 2 of 10 a page, oldest first
    url = reverse("todos:delete", args=[last.pk]) + "?sort=created&per_page=10&page=2"
    response = user_client.post(url)
    assert response.url == f"{LIST_URL}?sort=created&page=1&per_page=10#todo-list"


def test_an_action_without_javascript_that_keeps_the_page_goes_back_to_it(user_client, user):
    todos = TodoFactory.create_batch(12, owner=user)
    url = reverse("todos:delete", args=[todos[0].pk]) + "?sort=created&per_page=10&page=2"
    response = user_client.post(url)
    assert response.url == f"{LIST_URL}?sort=created&page=2&per_page=10#todo-list"


def test_an_action_that_keeps_the_page_leaves_the_address_bar_alone(user_client, user):
    todos = TodoFactory.create_batch(12, owner=user)
    url = reverse("todos:delete", args=[todos[0].pk]) + "?sort=created&per_page=10&page=2"
    response = user_client.post(url, headers=HTMX)
    assert response.context["page_obj"].number == 2
    assert "HX-Replace-Url" not in response


# Toggle


def test_toggle_completes_then_reopens(user_client, todo):
    url = reverse("todos:toggle", args=[todo.pk])
    response = user_client.post(url, {"done": "1"})
    assert response.status_code == HTTPStatus.FOUND
    # Without JavaScript, back to the row: a long list does not start again from its top.
    assert response.url == f"{LIST_URL}#todo-{todo.pk}"
    assert messages_of(response) == ["Marked “Buy milk” as done."]
    todo.refresh_from_db()
    assert (todo.done, todo.version) == (True, 2)
    assert todo.completed_at is not None

    user_client.post(url, {"done": "0"})
    todo.refresh_from_db()
    assert (todo.done, todo.completed_at, todo.version) == (False, None, 3)


def test_toggle_without_a_state_flips(user_client, todo):
    user_client.post(reverse("todos:toggle", args=[todo.pk]))
    todo.refresh_from_db()
    assert todo.done


def test_a_repeated_toggle_changes_nothing_more(user_client, todo):
    url = reverse("todos:toggle", args=[todo.pk])
    user_client.post(url, {"done": "1"})
    response = user_client.post(url, {"done": "1"})
    assert last_message(response) == "“Buy milk” was already done."
    todo.refresh_from_db()
    assert (todo.done, todo.version) == (True, 2)


@pytest.mark.parametrize("done", ["yes", "2", "", "\x00"])
def test_toggle_with_a_bad_state_changes_nothing(user_client, todo, done):
    before = database_snapshot()
    response = user_client.post(reverse("todos:toggle", args=[todo.pk]), {"done": done})
    assert response.status_code == HTTPStatus.FOUND
    assert messages_of(response) == ["That action was not understood; nothing changed."]
    assert database_snapshot() == before


def test_toggle_is_post_only(user_client, todo):
    response = user_client.get(reverse("todos:toggle", args=[todo.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_toggle_with_htmx_returns_the_fragment_with_updated_counters(user_client, user, todo):
    TodoFactory(owner=user)
    response = user_client.post(
        reverse("todos:toggle", args=[todo.pk]) + "?status=active", {"done": "1"}, headers=HTMX
    )
    content = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<strong>1</strong> item left" in content
    assert "<strong>1</strong> completed" in content
    assert f'id="todo-{todo.pk}"' not in content  # the active filter no longer lists it
    assert 'hx-post="/todos/new/?status=active"' in content  # the fragment keeps the filter


# Toggle all and clear completed


@pytest.fixture
def mixed(user):
    milk = TagFactory(owner=user, name="milk")
    return {
        "open_milk": TodoFactory(owner=user, title="milk 1", tags=[milk]),
        "done_milk": TodoFactory(owner=user, title="milk 2", tags=[milk], completed=True),
        "open_other": TodoFactory(owner=user, title="bread"),
        "done_other": TodoFactory(owner=user, title="eggs", completed=True),
    }


def states(todos):
    return {name: Todo.objects.get(pk=todo.pk).done for name, todo in todos.items()}


def test_toggle_all_completes_everything_then_reopens_everything(user_client, mixed):
    url = reverse("todos:toggle_all")
    response = user_client.post(url)
    assert response.url == LIST_URL
    assert messages_of(response) == ["Marked 2 todos as done."]
    assert all(states(mixed).values())

    response = user_client.post(url)
    assert last_message(response) == "Marked 4 todos as not done."
    assert not any(states(mixed).values())
    assert Todo.objects.get(pk=mixed["done_other"].pk).completed_at is None
    assert Todo.objects.get(pk=mixed["done_other"].pk).version == 2


def toggle_all_form_says(client):
    """The `done` the list's "Mark all as ..." form sends, and its label."""
    html = client.get(LIST_URL).content.decode()
    form = html[html.index('<form class="toggle-all"') :]
    form = form[: form.index("</form>")]
    value = re.search(r'name="done" value="([01])"', form).group(1)
    label = re.search(r'id="toggle-all"[^>]*>\s*(Mark all as [a-z ]+)', form).group(1).strip()
    return value, label


def test_the_toggle_all_form_sends_what_its_label_says(user_client, mixed):
    assert toggle_all_form_says(user_client) == ("1", "Mark all as done")
    Todo.objects.update(done=True, completed_at=timezone.now())
    assert toggle_all_form_says(user_client) == ("0", "Mark all as not done")


def test_toggle_all_sent_twice_does_not_undo_itself(user_client, mixed):
    """A double click without JavaScript, or a second tab: the second changes nothing, and the
    todos done before keep the time they were completed."""
    completed_at = Todo.objects.get(pk=mixed["done_other"].pk).completed_at
    url = reverse("todos:toggle_all")
    assert messages_of(user_client.post(url, {"done": "1"})) == ["Marked 2 todos as done."]
    before = database_snapshot()

    response = user_client.post(url, {"done": "1"})

    assert last_message(response) == "There was nothing to mark."
    assert database_snapshot() == before
    assert Todo.objects.get(pk=mixed["done_other"].pk).completed_at == completed_at


def test_toggle_all_from_a_stale_page_does_what_it_said(user_client, user, mixed):
    """The page said "Mark all as not done"; a todo added since in another tab stays open."""
    Todo.objects.update(done=True, completed_at=timezone.now())
    added = TodoFactory(owner=user, title="added elsewhere")
    response = user_client.post(reverse("todos:toggle_all"), {"done": "0"})
    assert last_message(response) == "Marked 4 todos as not done."
    assert not any(states(mixed).values())
    assert not Todo.objects.get(pk=added.pk).done


@pytest.mark.parametrize("done", ["yes", "2", ""])
def test_toggle_all_with_a_done_it_does_not_know_changes_nothing(user_client, mixed, done):
    before = database_snapshot()
    response = user_client.post(reverse("todos:toggle_all"), {"done": done})
    assert messages_of(response) == ["That action was not understood; nothing changed."]
    assert database_snapshot() == before


@pytest.mark.parametrize(
    ("query", "changed"),
    [
        ("q=milk", {"open_milk": True}),
        ("tag=MILK", {"open_milk": True}),
        ("status=active&q=bread", {"open_other": True}),
        ("status=completed&q=milk", {"done_milk": False}),
    ],
)
def test_toggle_all_honours_the_filter(user_client, mixed, other_user, query, changed):
    theirs = TodoFactory(owner=other_user, title="milk")
    expected = states(mixed) | changed
    response = user_client.post(reverse("todos:toggle_all") + f"?{query}&page=3")
    # The same list; its page 3 is past the end of what matches: its last page.
    assert response.url == f"{LIST_URL}?{query}&page=1"
    assert states(mixed) == expected
    assert not Todo.objects.get(pk=theirs.pk).done


def test_toggle_all_with_nothing_matching_says_so(user_client, mixed):
    response = user_client.post(reverse("todos:toggle_all") + "?q=nothing-like-this")
    assert messages_of(response) == ["There was nothing to mark."]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("todos:toggle_all", "There was nothing to mark."),
        ("todos:clear_completed", "There were no completed todos to delete."),
    ],
)
def test_a_tag_longer_than_any_tag_name_acts_on_nothing(user_client, mixed, action, message):
    before = set(Todo.objects.values_list("pk", "done"))
    # Longer than the 50 characters a tag name can have: it matches no tag.
    response = user_client.post(reverse(action) + "?tag=milk" + "x" * 60)
    assert set(Todo.objects.values_list("pk", "done")) == before
    assert messages_of(response) == [message]


def test_clear_completed_deletes_my_completed_todos_and_counts_them(user_client, mixed, other_user):
    theirs = TodoFactory(owner=other_user, completed=True)
    response = user_client.post(reverse("todos:clear_completed") + "?sort=due")
    assert response.url == f"{LIST_URL}?sort=due"
    assert messages_of(response) == ["Deleted 2 completed todos."]
    assert set(Todo.objects.all()) == {mixed["open_milk"], mixed["open_other"], theirs}


def test_clear_completed_honours_the_search_and_tag(user_client, mixed):
    response = user_client.post(reverse("todos:clear_completed") + "?tag=milk")
    assert messages_of(response) == ["Deleted 1 completed todo."]
    assert not Todo.objects.filter(pk=mixed["done_milk"].pk).exists()
    assert Todo.objects.filter(pk=mixed["done_other"].pk).exists()


def test_clear_completed_on_the_active_tab_still_clears_the_completed(user_client, mixed):
    """The button shows on every tab with the completed count, which ignores the status."""
    response = user_client.post(reverse("todos:clear_completed") + "?status=active")
    assert messages_of(response) == ["Deleted 2 completed todos."]
    assert set(Todo.objects.all()) == {mixed["open_milk"], mixed["open_other"]}


def test_clear_completed_with_none_says_so(user_client, todo):
    response = user_client.post(reverse("todos:clear_completed"))
    assert messages_of(response) == ["There were no completed todos to delete."]
    assert Todo.objects.exists()


@pytest.mark.parametrize("name", ["toggle_all", "clear_completed"])
def test_bulk_actions_are_post_only(user_client, name):
    response = user_client.get(reverse(f"todos:{name}"))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("name", ["toggle_all", "clear_completed"])
def test_bulk_actions_with_htmx_return_the_fragment(user_client, mixed, name):
    response = user_client.post(reverse(f"todos:{name}"), headers=HTMX)
    content = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<section id="todo-app"' in content
    assert 'id="messages"' in content
    assert "<html" not in content


def test_toggle_all_with_htmx_updates_the_counters(user_client, mixed):
    content = user_client.post(reverse("todos:toggle_all"), headers=HTMX).content.decode()
    assert "<strong>0</strong> items left" in content
    assert "<strong>4</strong> completed" in content
    assert "Mark all as not done" in content


def test_bulk_writes_set_updated_at(user_client, mixed):
    before = timezone.now()
    user_client.post(reverse("todos:toggle_all"))
    assert Todo.objects.get(pk=mixed["open_milk"].pk).updated_at >= before


def test_a_todo_deleted_while_saving_is_reported_not_a_crash(user_client, todo, monkeypatch):
    def delete_then_conflict(form):
        Todo.objects.filter(pk=form.instance.pk).delete()
        raise TodoChangedElsewhere

    monkeypatch.setattr(TodoEditForm, "save", delete_then_conflict)
    response = user_client.post(reverse("todos:update", args=[todo.pk]), edit_data(todo))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == LIST_URL
    assert messages_of(response) == [
        "This todo was deleted elsewhere; your changes were not saved."
    ]


def test_methods_a_url_does_not_serve_are_405_for_the_owner(user_client, todo):
    detail = user_client.post(reverse("todos:detail", args=[todo.pk]))
    toggle = user_client.get(reverse("todos:toggle", args=[todo.pk]))
    assert detail.status_code == toggle.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_only_a_swapped_in_list_ignores_the_pointer_for_a_moment(user_client, user, todo):
    TodoFactory(owner=user)
    page = user_client.get(LIST_URL).content.decode()
    swapped = user_client.post(reverse("todos:delete", args=[todo.pk]), headers=HTMX)
    assert '<section id="todo-app" class="todo-app" ' in page
    assert '<section id="todo-app" class="todo-app todo-app-swapped" ' in swapped.content.decode()


def test_a_visit_to_an_action_gets_the_sites_405_page(user_client, todo):
    response = user_client.get(reverse("todos:toggle", args=[todo.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "POST"
    assert "<h1>Not opened this way</h1>" in response.content.decode()
    assert "405.html" in [template.name for template in response.templates]


def test_the_conflict_page_is_titled_with_the_todo_as_saved(user_client, todo):
    saved_title = todo.title
    data = edit_data(todo, title="My unsaved title", version=todo.version + 5)
    response = user_client.post(reverse("todos:update", args=[todo.pk]), data)
    assert f"<title>Error: Edit “{saved_title}” · Todos</title>" in response.content.decode()


def test_a_refused_edit_is_titled_with_the_todo_as_saved(user_client, todo):
    saved_title = todo.title
    response = user_client.post(reverse("todos:update", args=[todo.pk]), edit_data(todo, title=""))
    assert response.status_code == HTTPStatus.OK
    assert f"<title>Error: Edit “{saved_title}” · Todos</title>" in response.content.decode()
