from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import TagFactory, TodoFactory
from tests.helpers import database_snapshot, messages_of
from todos.models import Tag, Todo

pytestmark = pytest.mark.django_db

TAG_LIST_URL = reverse("todos:tag_list")


def test_tag_list_shows_my_tags_with_open_and_done_counts_in_one_query(
    user_client, user, other_user, django_assert_num_queries
):
    home, work = TagFactory(owner=user, name="home"), TagFactory(owner=user, name="work")
    TagFactory(owner=other_user, name="theirs")
    TodoFactory.create_batch(2, owner=user, tags=[home, work])
    TodoFactory(owner=user, tags=[home], completed=True)
    TodoFactory(owner=other_user, tags=[TagFactory(owner=other_user)])

    # session, user, the tags with their counts; plus the savepoint and release of ATOMIC_REQUESTS
    with django_assert_num_queries(5):
        response = user_client.get(TAG_LIST_URL)

    assert response.status_code == HTTPStatus.OK
    counts = {tag.name: (tag.open_count, tag.done_count) for tag in response.context["tag_list"]}
    assert counts == {"home": (2, 1), "work": (2, 0)}
    assert b"theirs" not in response.content
    assert b'href="/todos/?tag=home"' in response.content


def test_tag_list_is_alphabetical_ignoring_case(user_client, user):
    for name in ("beta", "Alpha", "gamma", "Delta"):
        TagFactory(owner=user, name=name)
    names = [tag.name for tag in user_client.get(TAG_LIST_URL).context["tag_list"]]
    assert names == ["Alpha", "beta", "Delta", "gamma"]


def test_every_page_lists_a_users_tags_in_that_order(user_client, user):
    # It was the tags page's alone: elsewhere upper case came first ("Alpha, Gamma, beta").
    order = ["Alpha", "beta", "Delta", "gamma"]
    todo = TodoFactory(owner=user, tags=[TagFactory(owner=user, name=name) for name in order[::-1]])
    listed = user_client.get(reverse("todos:list"))
    shown = {
        "list filter": [tag.name for tag in listed.context["tags"]],
        "list row": [tag.name for tag in listed.context["todo_list"][0].tag_list],
        "todo's page": user_client.get(todo.get_absolute_url()).context["todo"].tag_names,
        "edit form": user_client.get(reverse("todos:update", args=[todo.pk]))
        .context["form"]["tags"]
        .value()
        .split(", "),
    }
    assert shown == dict.fromkeys(shown, order)


def test_tag_list_without_tags_explains_how_to_add_them(user_client):
    assert b"No tags yet" in user_client.get(TAG_LIST_URL).content


def test_rename_page_shows_the_form(user_client, user):
    tag = TagFactory(owner=user, name="wrk")
    response = user_client.get(reverse("todos:tag_update", args=[tag.pk]))
    assert response.status_code == HTTPStatus.OK
    assert b'value="wrk"' in response.content


def test_rename_renames_and_keeps_the_links(user_client, user):
    tag = TagFactory(owner=user, name="wrk")
    todo = TodoFactory(owner=user, tags=[tag])
    response = user_client.post(reverse("todos:tag_update", args=[tag.pk]), {"name": " work "})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == TAG_LIST_URL
    assert messages_of(response) == ["Renamed “wrk” to “work”."]
    assert [t.name for t in todo.tags.all()] == ["work"]


def test_saving_the_same_name_changes_nothing(user_client, user):
    tag = TagFactory(owner=user, name="work")
    TodoFactory(owner=user, tags=[tag])
    before = database_snapshot()
    response = user_client.post(reverse("todos:tag_update", args=[tag.pk]), {"name": " work "})
    assert response.url == TAG_LIST_URL
    assert messages_of(response) == ["“work” kept its name."]
    # Its todo's version stays, so an edit form open on it is not made stale for nothing.
    assert database_snapshot() == before


def test_rename_onto_an_existing_name_merges(user_client, user):
    old = TagFactory(owner=user, name="wrk")
    work = TagFactory(owner=user, name="Work")
    a = TodoFactory(owner=user, tags=[old])
    b = TodoFactory(owner=user, tags=[old, work])
    response = user_client.post(reverse("todos:tag_update", args=[old.pk]), {"name": "work"})
    assert messages_of(response) == ["Merged “wrk” into “Work”."]
    assert list(Tag.objects.for_user(user)) == [work]
    assert set(work.todos.all()) == {a, b}
    assert Todo.tags.through.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("n" * 51, "Ensure this value has at most 50 characters"),
        ("a, b", "Tag names cannot contain commas."),
        ("bad\x00", "Null characters are not allowed."),
        ("\u3164", "only invisible ones"),
    ],
)
def test_bad_rename_shows_the_error_and_changes_nothing(user_client, user, name, message):
    tag = TagFactory(owner=user, name="keep")
    response = user_client.post(reverse("todos:tag_update", args=[tag.pk]), {"name": name})
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert list(Tag.objects.values_list("name", flat=True)) == ["keep"]


def test_delete_tag_asks_first_then_deletes_it_and_keeps_the_todos(user_client, user):
    tag = TagFactory(owner=user, name="old")
    todo = TodoFactory(owner=user, tags=[tag])
    url = reverse("todos:tag_delete", args=[tag.pk])

    response = user_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert b"Delete this tag?" in response.content
    assert "removed from its 1 todo (1 open, 0 done)" in response.content.decode()

    response = user_client.post(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == TAG_LIST_URL
    assert messages_of(response) == ["Deleted the tag “old”; its todos are kept."]
    assert not Tag.objects.exists()
    assert Todo.objects.get() == todo
    assert not todo.tags.exists()


def test_the_tags_page_asks_before_deleting_a_tag(user_client, user):
    tag = TagFactory(owner=user, name="work")
    content = user_client.get(TAG_LIST_URL).content.decode()
    delete_url = reverse("todos:tag_delete", args=[tag.pk])
    assert f'href="{delete_url}"' in content
    assert f'action="{delete_url}"' not in content


def test_the_delete_confirmation_counts_the_tags_open_and_done_todos(user_client, user):
    tag = TagFactory(owner=user, name="work")
    TodoFactory.create_batch(2, owner=user, tags=[tag])
    TodoFactory(owner=user, tags=[tag], completed=True)
    TodoFactory(owner=user)
    empty = TagFactory(owner=user, name="unused")

    content = user_client.get(reverse("todos:tag_delete", args=[tag.pk])).content.decode()
    assert "removed from its 3 todos (2 open, 1 done) and deleted" in content
    content = user_client.get(reverse("todos:tag_delete", args=[empty.pk])).content.decode()
    assert "removed from its todos (it has none) and deleted" in content


def test_each_rename_button_names_its_tag(user_client, user):
    TagFactory(owner=user, name="work")
    TagFactory(owner=user, name="home")
    content = user_client.get(TAG_LIST_URL).content.decode()
    for name in ("work", "home"):
        assert f'Rename<span class="visually-hidden"> {name}</span></button>' in content
