import csv
import datetime
import html
import io
import os
import re
import subprocess
import sys
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import TagFactory, TodoFactory, UserFactory
from tests.helpers import messages_of, with_todo_permissions
from todos import admin as todos_admin
from todos import services as todos_services
from todos.admin import TagFilter
from todos.admin_tools import (
    EstimatedCountPaginator,
    MoreThan,
    SummarizedDeletionMixin,
    _periods,
    changelist_rows,
)
from todos.models import Priority, Tag, Todo
from users.models import User

pytestmark = pytest.mark.django_db

PROJECT_ROOT = settings.BASE_DIR
TODO_CHANGELIST = reverse("admin:todos_todo_changelist")
TAG_CHANGELIST = reverse("admin:todos_tag_changelist")
# On PostgreSQL the paginator first asks pg_class for an estimate, then counts small tables.
ESTIMATE_QUERIES = 1 if connection.vendor == "postgresql" else 0
# On PostgreSQL the tag filter first asks the statistics for the common names, then counts them
# in small tables.
STATISTICS_QUERIES = 1 if connection.vendor == "postgresql" else 0


def todo_change_url(todo):
    return reverse("admin:todos_todo_change", args=[todo.pk])


def listed_titles(response):
    return {todo.title for todo in response.context["cl"].result_list}


def create_tagged_todos(count):
    """`count` todos spread over up to five owners, each todo with two of its owner's tags."""
    owners = UserFactory.create_batch(min(count, 5))
    tags = {owner: TagFactory.create_batch(2, owner=owner) for owner in owners}
    return [
        TodoFactory(owner=owners[i % len(owners)], tags=tags[owners[i % len(owners)]])
        for i in range(count)
    ]


def post_action(client, action, todos, **extra):
    data = {"action": action, "_selected_action": [todo.pk for todo in todos], **extra}
    return client.post(TODO_CHANGELIST, data)


def post_change(client, todo, data):
    """Posts the change form of `todo` as opened now: at its current version."""
    return client.post(todo_change_url(todo), {"loaded_version": todo.version, **data})


def todo_form_data(**values):
    data = {
        "title": "Water the plants",
        "description": "",
        "priority": Priority.NORMAL,
        "due_date": "",
        "tags": [],
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


# The changelist


def test_changelist_shows_each_column(admin_client):
    owner = UserFactory(username="alice")
    todo = TodoFactory(
        owner=owner,
        title="Pay rent",
        priority=Priority.HIGH,
        due_date=datetime.date(2030, 1, 31),
        tags=[TagFactory(owner=owner, name="home"), TagFactory(owner=owner, name="money")],
    )
    response = admin_client.get(TODO_CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert f'<a href="{todo_change_url(todo)}">Pay rent</a>' in content
    for cell in (
        '<td class="field-owner nowrap">alice</td>',
        '<td class="field-priority">High</td>',
        '<td class="field-due_date nowrap">Jan. 31, 2030</td>',
        '<td class="field-tag_names">home, money</td>',
    ):
        assert cell in content


def create_todos_of_every_kind():
    """Todos that exercise each kind of cell: markup to escape, empty values, both booleans."""
    owner = UserFactory(username="<al&ce>")
    tag = TagFactory(owner=owner, name='"quoted" & <tagged>')
    TodoFactory(owner=owner, title="<b>Bold</b> & 'quoted'", tags=[tag], due_date=None)
    TodoFactory(owner=owner, title="done", done=True, priority=Priority.HIGH, description="")
    TodoFactory(owner=owner, title="due", due_date=datetime.date(2030, 1, 31), tags=[tag])


@pytest.mark.parametrize(
    ("changelist", "params"),
    [
        (TODO_CHANGELIST, {}),
        (TODO_CHANGELIST, {"q": "o"}),  # filters to preserve in each row's link
        (TODO_CHANGELIST, {"o": "-4.1", "done__exact": "0"}),
        (TODO_CHANGELIST, {"tag": '"quoted" & <tagged>', "due": "none"}),
        (TODO_CHANGELIST, {"_popup": "1"}),  # left to Django
        (TAG_CHANGELIST, {}),
        (TAG_CHANGELIST, {"q": "<al&ce>"}),
    ],
)
def test_changelist_rows_are_the_html_of_djangos_own(admin_client, changelist, params):
    create_todos_of_every_kind()
    response = admin_client.get(changelist, params)
    cl = response.context["cl"]
    assert cl.result_list
    rows = ["".join(row) for row in changelist_rows(cl)]
    assert rows == ["".join(items_for_result(cl, result, None)) for result in cl.result_list]
    for row in rows:
        assert f"<tr>{row}</tr>" in response.content.decode()


@pytest.mark.parametrize("size", [1, 100])
def test_changelist_runs_a_constant_number_of_queries(
    admin_client, django_assert_num_queries, size
):
    create_tagged_todos(size)
    # session, user, savepoint, tag filter choices, count, page, tags of the page, date range,
    # savepoint release
    with django_assert_num_queries(9 + ESTIMATE_QUERIES + STATISTICS_QUERIES):
        response = admin_client.get(TODO_CHANGELIST)
    assert len(response.context["cl"].result_list) == min(size, todos_admin.TodoAdmin.list_per_page)


def test_changelist_is_newest_first(admin_client):
    now = timezone.now()
    old = TodoFactory(title="old", created_at=now - datetime.timedelta(days=2))
    new = TodoFactory(title="new", created_at=now)
    response = admin_client.get(TODO_CHANGELIST)
    assert list(response.context["cl"].result_list) == [new, old]


def test_changelist_does_not_count_the_table_twice(admin_client):
    TodoFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(TODO_CHANGELIST)
    counts = [query["sql"] for query in queries if "COUNT(*)" in query["sql"]]
    assert counts == ['SELECT COUNT(*) AS "__count" FROM "todos_todo"']


@pytest.mark.parametrize(
    ("query", "field"),
    [("plants", "title"), ("fertiliser", "description"), ("gardener", "owner")],
)
def test_search_finds_title_description_and_owner(admin_client, query, field):
    values = {"title": "Water the plants", "description": "Use the fertiliser"}
    match = TodoFactory(owner=UserFactory(username="gardener"), **values)
    TodoFactory(title="Something else", description="Nothing to see")
    response = admin_client.get(TODO_CHANGELIST, {"q": query})
    assert listed_titles(response) == {match.title}


def test_search_needs_every_word_in_some_field_and_keeps_quoted_phrases(admin_client):
    gardener = UserFactory(username="gardener")
    TodoFactory(owner=gardener, title="Water the plants")
    TodoFactory(owner=gardener, title="Plants, water them")
    TodoFactory(owner=UserFactory(username="cook"), title="Water the plants too")

    def found(term):
        return listed_titles(admin_client.get(TODO_CHANGELIST, {"q": term}))

    assert found("plants gardener") == {"Water the plants", "Plants, water them"}
    assert found('"the plants" gardener') == {"Water the plants"}
    assert found("plants nobody") == set()


def test_search_matches_the_owner_without_joining_the_users(admin_client):
    TodoFactory(owner=UserFactory(username="gardener"))
    response = admin_client.get(TODO_CHANGELIST, {"q": "garden"})
    assert response.context["cl"].result_count == 1
    assert '"owner_id" IN (SELECT' in str(response.context["cl"].queryset.query)


def test_done_filter(admin_client):
    TodoFactory(title="open")
    TodoFactory(title="finished", completed=True)
    assert listed_titles(admin_client.get(TODO_CHANGELIST, {"done__exact": 1})) == {"finished"}
    assert listed_titles(admin_client.get(TODO_CHANGELIST, {"done__exact": 0})) == {"open"}


def test_priority_filter(admin_client):
    TodoFactory(title="urgent", priority=Priority.HIGH)
    TodoFactory(title="whenever", priority=Priority.LOW)
    response = admin_client.get(TODO_CHANGELIST, {"priority__exact": Priority.HIGH})
    assert listed_titles(response) == {"urgent"}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("overdue", {"late"}),
        ("today", {"today"}),
        ("next7", {"today", "in six days"}),
        ("none", {"no date"}),
    ],
)
def test_due_date_filter(admin_client, choice, expected):
    today = timezone.localdate()
    TodoFactory(title="late", due_date=today - datetime.timedelta(days=1))
    TodoFactory(title="late but done", due_date=today - datetime.timedelta(days=1), completed=True)
    TodoFactory(title="today", due_date=today)
    TodoFactory(title="in six days", due_date=today + datetime.timedelta(days=6))
    TodoFactory(title="in a week", due_date=today + datetime.timedelta(days=7))
    TodoFactory(title="no date", due_date=None)
    assert listed_titles(admin_client.get(TODO_CHANGELIST, {"due": choice})) == expected


def follow_filter(client, title, display):
    """Open the changelist through the link of one of its filter choices, as staff would."""
    cl = client.get(TODO_CHANGELIST).context["cl"]
    spec = next(spec for spec in cl.filter_specs if spec.title == title)
    choice = next(choice for choice in spec.choices(cl) if choice["display"] == display)
    return client.get(f"{TODO_CHANGELIST}{choice['query_string']}")


def test_created_date_filter(admin_client):
    now = timezone.now()
    TodoFactory(title="recent", created_at=now - datetime.timedelta(days=2))
    TodoFactory(title="last year", created_at=now - datetime.timedelta(days=400))
    response = follow_filter(admin_client, "created at", "Past 7 days")
    assert listed_titles(response) == {"recent"}


def test_tag_filter_matches_the_name_whatever_its_case_for_every_owner(admin_client):
    alice, bob = UserFactory(), UserFactory()
    TodoFactory(title="alice's", owner=alice, tags=[TagFactory(owner=alice, name="Work")])
    TodoFactory(title="bob's", owner=bob, tags=[TagFactory(owner=bob, name="work")])
    TodoFactory(title="untagged", owner=bob)
    TodoFactory(title="other tag", owner=bob, tags=[TagFactory(owner=bob, name="home")])
    response = admin_client.get(TODO_CHANGELIST, {"tag": "WORK"})
    assert listed_titles(response) == {"alice's", "bob's"}


def tag_choices(client, **params):
    response = client.get(TODO_CHANGELIST, params)
    spec = next(spec for spec in response.context["cl"].filter_specs if isinstance(spec, TagFilter))
    return [choice[1] for choice in spec.lookup_choices]


def test_tag_filter_offers_the_most_common_names_only(admin_client, monkeypatch):
    monkeypatch.setattr(TagFilter, "max_choices", 2)
    for name, owners in (("work", 3), ("home", 2), ("rare", 1)):
        for _ in range(owners):
            TagFactory(name=name)
    assert tag_choices(admin_client) == ["work", "home"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_stats is PostgreSQL's")
def test_tag_filter_over_many_tags_takes_the_common_names_from_the_statistics(
    admin_client, monkeypatch
):
    monkeypatch.setattr(TagFilter, "estimated_from", 0)
    monkeypatch.setattr(TagFilter, "max_choices", 2)
    for name, owners in (("Work", 3), ("home", 2), ("rare", 1)):
        for _ in range(owners):
            TagFactory(name=name)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE todos_tag")
    with CaptureQueriesContext(connection) as queries:
        choices = tag_choices(admin_client)
    assert choices == ["work", "home"]
    assert not [query for query in queries if "GROUP BY" in query["sql"]]


def test_tag_filter_offers_the_owners_tags_when_the_list_shows_one_owner(admin_client):
    alice = UserFactory()
    TagFactory(owner=alice, name="Garden")
    TagFactory(owner=alice, name="books")
    TagFactory(name="someone else's")
    assert tag_choices(admin_client, owner__id__exact=alice.pk) == ["books", "Garden"]


def test_tag_filter_keeps_a_chosen_name_that_is_not_among_its_choices(admin_client, monkeypatch):
    monkeypatch.setattr(TagFilter, "max_choices", 1)
    TagFactory.create_batch(2, name="common")
    TagFactory(name="Rare")
    assert tag_choices(admin_client, tag="Rare") == ["common", "Rare"]


def test_an_owner_that_is_not_a_number_is_an_invalid_lookup_not_an_error(admin_client):
    TagFactory(name="work")
    response = admin_client.get(TODO_CHANGELIST, {"owner__id__exact": "x", "tag": "work"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{TODO_CHANGELIST}?e=1"


def shown_filters(response):
    return {
        spec.title: [choice["display"] for choice in spec.choices(response.context["cl"])]
        for spec in response.context["cl"].filter_specs
    }


def test_the_owner_a_list_is_limited_to_shows_with_the_filters_and_clears_with_them(
    admin_client,
):
    alice = UserFactory(username="alice")
    TodoFactory(owner=alice)
    response = admin_client.get(TODO_CHANGELIST, {"owner__id__exact": alice.pk, "done__exact": 0})
    assert shown_filters(response)["owner"] == ["All", "alice"]
    selected = [
        choice
        for spec in response.context["cl"].filter_specs
        if spec.title == "owner"
        for choice in spec.choices(response.context["cl"])
        if choice["selected"]
    ]
    assert [choice["display"] for choice in selected] == ["alice"]
    assert response.context["cl"].has_active_filters
    assert "owner__id__exact" not in response.context["cl"].clear_all_filters_qs


def test_without_an_owner_there_is_no_owner_filter(admin_client):
    TodoFactory()
    assert "owner" not in shown_filters(admin_client.get(TODO_CHANGELIST))


def test_an_owner_that_does_not_exist_lists_nothing_and_says_so(admin_client):
    TodoFactory()
    response = admin_client.get(TODO_CHANGELIST, {"owner__id__exact": 987654})
    assert response.status_code == HTTPStatus.OK
    assert listed_titles(response) == set()
    assert shown_filters(response)["owner"] == ["All", "user #987654 (none)"]


def sortable_columns(response):
    headers = response.context["result_headers"]
    return [
        re.search(r"column-(\w+)", h["class_attrib"]).group(1) for h in headers if h["sortable"]
    ]


def listed_in_order(response):
    return [todo.title for todo in response.context["cl"].result_list]


def test_across_owners_only_the_date_created_sorts(admin_client):
    """The other columns have no index of their own: sorting by one read the whole table."""
    alice = UserFactory()
    for title in ("b", "c", "a"):
        TodoFactory(owner=alice, title=title)
    assert sortable_columns(admin_client.get(TODO_CHANGELIST)) == ["created_at"]
    # ?o=1 asks for the titles' order: Django would sort by it whatever the headers offered.
    assert listed_in_order(admin_client.get(TODO_CHANGELIST, {"o": "1"})) == ["a", "c", "b"]


def test_one_owners_todos_sort_by_every_column(admin_client):
    alice = UserFactory()
    for title in ("b", "c", "a"):
        TodoFactory(owner=alice, title=title)
    TodoFactory(title="someone else's")
    params = {"owner__id__exact": alice.pk}
    response = admin_client.get(TODO_CHANGELIST, params)
    assert sortable_columns(response) == ["title", "done", "priority", "due_date", "created_at"]
    assert listed_in_order(admin_client.get(TODO_CHANGELIST, {**params, "o": "1"})) == [
        "a",
        "b",
        "c",
    ]


def test_one_owners_titles_sort_ignoring_letter_case_as_on_the_site(admin_client):
    alice = UserFactory()
    for title in ("Zebra crossing", "apple pie", "Banana"):
        TodoFactory(owner=alice, title=title)
    params = {"owner__id__exact": alice.pk}
    ascending = listed_in_order(admin_client.get(TODO_CHANGELIST, {**params, "o": "1"}))
    assert ascending == ["apple pie", "Banana", "Zebra crossing"]
    descending = listed_in_order(admin_client.get(TODO_CHANGELIST, {**params, "o": "-1"}))
    assert descending == ascending[::-1]


def test_owner_parameter_lists_one_users_todos(admin_client):
    alice = UserFactory()
    TodoFactory(title="alice's", owner=alice)
    TodoFactory(title="someone else's")
    response = admin_client.get(TODO_CHANGELIST, {"owner__id__exact": alice.pk})
    assert listed_titles(response) == {"alice's"}


# The date hierarchy


def hierarchy_links(response, level):
    return {int(value) for value in re.findall(rf"created_at__{level}=(\d+)", response.text)}


def test_date_hierarchy_lists_every_year_from_the_first_todo_to_the_last(admin_client):
    TodoFactory(created_at=datetime.datetime(2023, 5, 1, tzinfo=datetime.UTC))
    TodoFactory(created_at=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC))
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(TODO_CHANGELIST)
    assert hierarchy_links(response, "year") == {2023, 2024, 2025}
    assert not [query for query in queries if "DISTINCT" in query["sql"].upper()]


def test_date_hierarchy_drills_down_to_the_months_of_a_year(admin_client):
    TodoFactory(title="march", created_at=datetime.datetime(2025, 3, 9, tzinfo=datetime.UTC))
    TodoFactory(title="may", created_at=datetime.datetime(2025, 5, 2, tzinfo=datetime.UTC))
    TodoFactory(title="2026", created_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC))
    response = admin_client.get(TODO_CHANGELIST, {"created_at__year": 2025})
    assert hierarchy_links(response, "month") == {3, 4, 5}
    assert listed_titles(response) == {"march", "may"}


def test_date_hierarchy_drills_down_to_the_days_of_a_month(admin_client):
    TodoFactory(title="9th", created_at=datetime.datetime(2025, 3, 9, tzinfo=datetime.UTC))
    TodoFactory(title="11th", created_at=datetime.datetime(2025, 3, 11, tzinfo=datetime.UTC))
    response = admin_client.get(TODO_CHANGELIST, {"created_at__year": 2025, "created_at__month": 3})
    assert hierarchy_links(response, "day") == {9, 10, 11}


def test_date_hierarchy_of_a_search_spans_the_whole_table(admin_client):
    old = datetime.datetime(2023, 5, 1, tzinfo=datetime.UTC)
    TodoFactory(title="old", created_at=old)
    TodoFactory(title="new", created_at=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC))
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(TODO_CHANGELIST, {"q": "new"})
    assert listed_titles(response) == {"new"}
    assert hierarchy_links(response, "year") == {2023, 2024, 2025}
    bounds = [query["sql"] for query in queries if "MIN(" in query["sql"]]
    assert bounds
    assert not [sql for sql in bounds if "LIKE" in sql]


def test_date_hierarchy_of_an_empty_list_offers_no_dates(admin_client):
    response = admin_client.get(TODO_CHANGELIST)
    assert hierarchy_links(response, "year") == set()


@pytest.mark.parametrize(
    ("first", "last", "kind", "expected"),
    [
        ((2023, 5, 1), (2025, 2, 1), "year", [(2023, 1, 1), (2024, 1, 1), (2025, 1, 1)]),
        ((2024, 11, 30), (2025, 1, 2), "month", [(2024, 11, 1), (2024, 12, 1), (2025, 1, 1)]),
        ((2024, 2, 28), (2024, 3, 1), "day", [(2024, 2, 28), (2024, 2, 29), (2024, 3, 1)]),
    ],
)
def test_periods_cover_the_range(first, last, kind, expected):
    periods = _periods(datetime.date(*first), datetime.date(*last), kind)
    assert list(periods) == [datetime.date(*day) for day in expected]


def test_periods_refuse_an_unknown_level():
    with pytest.raises(ValueError, match="week"):
        list(_periods(datetime.date(2025, 1, 1), datetime.date(2025, 1, 2), "week"))


# The add and change forms


def test_add_form_opens(admin_client):
    response = admin_client.get(reverse("admin:todos_todo_add"))
    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert set(form.fields) == {
        "owner",
        "title",
        "description",
        "tags",
        "done",
        "priority",
        "due_date",
    }


def test_add_a_done_todo_sets_completed_at(admin_client):
    owner = UserFactory()
    tag = TagFactory(owner=owner)
    data = todo_form_data(owner=owner.pk, done="on", tags=[tag.pk], due_date="2030-05-01")
    response = admin_client.post(reverse("admin:todos_todo_add"), data)
    assert response.status_code == HTTPStatus.FOUND
    todo = Todo.objects.get()
    assert (todo.owner, todo.title, todo.done, todo.version) == (owner, "Water the plants", True, 1)
    assert todo.completed_at is not None
    assert todo.due_date == datetime.date(2030, 5, 1)
    assert list(todo.tags.all()) == [tag]


@pytest.mark.parametrize(
    ("values", "field", "error"),
    [
        ({"title": "   "}, "title", "This field is required."),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"priority": 7}, "priority", "Select a valid choice."),
        ({"due_date": "someday"}, "due_date", "Enter a valid date."),
        ({"owner": None}, "owner", "This field is required."),
    ],
)
def test_add_form_refuses_bad_input(admin_client, values, field, error):
    data = todo_form_data(owner=UserFactory().pk)
    data.update(values)
    data = {key: value for key, value in data.items() if value is not None}
    response = admin_client.post(reverse("admin:todos_todo_add"), data)
    assert response.status_code == HTTPStatus.OK
    assert any(error in message for message in response.context["adminform"].form.errors[field])
    assert not Todo.objects.exists()


def test_add_form_refuses_another_users_tags(admin_client):
    owner = UserFactory(username="alice")
    foreign = TagFactory(owner=UserFactory(), name="bobs")
    data = todo_form_data(owner=owner.pk, tags=[foreign.pk])
    response = admin_client.post(reverse("admin:todos_todo_add"), data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["tags"] == [
        "These tags belong to another user than alice: bobs."
    ]
    assert not Todo.objects.exists()


def test_change_form_shows_the_history_read_only(admin_client):
    todo = TodoFactory(completed=True, version=7)
    response = admin_client.get(todo_change_url(todo))
    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert not {"created_at", "updated_at", "completed_at", "version"} & set(form.fields)
    shown = re.findall(r'<div class="readonly">([^<]*)</div>', response.content.decode())
    # created_at, updated_at and completed_at as dates and times (an empty one shows "-"), then
    # the version.
    assert len(shown) == 4
    assert all(re.fullmatch(r"\w+\.? \d{1,2}, \d{4}, .+", value) for value in shown[:3])
    assert shown[3] == "7"


def test_marking_done_in_the_change_form_sets_completed_at_and_bumps_the_version(admin_client):
    todo = TodoFactory()
    data = todo_form_data(owner=todo.owner.pk, title=todo.title, done="on")
    response = post_change(admin_client, todo, data)
    assert response.status_code == HTTPStatus.FOUND
    todo.refresh_from_db()
    assert todo.done
    assert todo.completed_at is not None
    assert todo.version == 2


def test_marking_not_done_in_the_change_form_clears_completed_at(admin_client):
    todo = TodoFactory(completed=True)
    post_change(admin_client, todo, todo_form_data(owner=todo.owner.pk))
    todo.refresh_from_db()
    assert (todo.done, todo.completed_at, todo.version) == (False, None, 2)


def test_editing_a_done_todo_keeps_its_completed_at(admin_client):
    completed_at = timezone.now() - datetime.timedelta(days=3)
    todo = TodoFactory(completed=True, completed_at=completed_at)
    data = todo_form_data(owner=todo.owner.pk, title="Renamed", done="on")
    post_change(admin_client, todo, data)
    todo.refresh_from_db()
    assert (todo.title, todo.completed_at, todo.version) == ("Renamed", completed_at, 2)


def test_read_only_fields_cannot_be_posted(admin_client):
    todo = TodoFactory()
    data = todo_form_data(owner=todo.owner.pk, version=99, completed_at="2020-01-01 00:00")
    post_change(admin_client, todo, data)
    todo.refresh_from_db()
    assert (todo.version, todo.completed_at) == (2, None)


def test_change_form_refuses_a_blank_title_and_changes_nothing(admin_client):
    todo = TodoFactory(title="Keep me")
    data = todo_form_data(owner=todo.owner.pk, title="")
    response = post_change(admin_client, todo, data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["title"] == ["This field is required."]
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Keep me", 1)


@pytest.mark.parametrize(
    ("values", "field"),
    [({"title": "\u200b"}, "title"), ({"description": "x" * 10_001}, "description")],
    ids=["invisible title", "long description"],
)
def test_change_form_refuses_what_the_sites_form_refuses(admin_client, values, field):
    todo = TodoFactory(title="Keep me")
    response = post_change(admin_client, todo, todo_form_data(owner=todo.owner.pk, **values))
    assert field in response.context["adminform"].form.errors
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Keep me", 1)


def test_an_invisible_tag_name_is_refused_in_the_admin(admin_client):
    owner = UserFactory()
    response = admin_client.post(
        reverse("admin:todos_tag_add"), {"owner": owner.pk, "name": "\u2800"}
    )
    assert "name" in response.context["adminform"].form.errors
    assert not Tag.objects.exists()


def test_moving_a_todo_to_another_owner_with_its_tags_is_refused(admin_client):
    todo = TodoFactory()
    tag = TagFactory(owner=todo.owner)
    todo.tags.add(tag)
    data = todo_form_data(owner=UserFactory().pk, title=todo.title, tags=[tag.pk])
    response = post_change(admin_client, todo, data)
    assert "tags" in response.context["adminform"].form.errors
    todo.refresh_from_db()
    assert todo.owner_id != data["owner"]


NOT_KEYS = ["abc", "\x00", "1.5", "9" * 23]


@pytest.mark.parametrize("value", NOT_KEYS, ids=["word", "nul", "decimal", "past 64 bits"])
@pytest.mark.parametrize("field", ["owner", "tags"])
def test_an_autocomplete_field_sent_no_key_gets_the_forms_error(admin_client, field, value):
    # The form is shown again with the field's error, the value not looked up (it was a 500).
    todo = TodoFactory(title="Keep me")
    values = {"owner": todo.owner.pk, field: [value] if field == "tags" else value}
    response = post_change(admin_client, todo, todo_form_data(**values))
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["adminform"].form.errors
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Keep me", 1)


@pytest.mark.parametrize("value", NOT_KEYS, ids=["word", "nul", "decimal", "past 64 bits"])
def test_a_new_todo_or_tag_with_no_key_for_owner_gets_the_forms_error(admin_client, value):
    for url, data in [
        (reverse("admin:todos_todo_add"), todo_form_data(owner=value)),
        (reverse("admin:todos_tag_add"), {"owner": value, "name": "work"}),
    ]:
        response = admin_client.post(url, data)
        assert response.status_code == HTTPStatus.OK
        assert "owner" in response.context["adminform"].form.errors
    assert not Todo.objects.exists()
    assert not Tag.objects.exists()


def test_a_refused_form_shows_the_tags_that_are_keys_still_selected(admin_client):
    todo = TodoFactory(owner__username="alice")
    tag = TagFactory(owner=todo.owner, name="garden")
    data = todo_form_data(owner=todo.owner.pk, tags=[tag.pk, "abc"])
    response = post_change(admin_client, todo, data)
    assert "tags" in response.context["adminform"].form.errors
    selected = f'<option value="{tag.pk}" selected>garden (alice)</option>'
    assert selected in response.content.decode()


def test_owner_and_tags_use_autocomplete(admin_client):
    response = admin_client.get(reverse("admin:todos_todo_add"))
    form = response.context["adminform"].form
    for field in ("owner", "tags"):
        assert "admin-autocomplete" in form.fields[field].widget.render(field, None)


def test_tag_autocomplete_searches_names_and_owners(admin_client):
    TagFactory(name="work", owner=UserFactory(username="alice"))
    TagFactory(name="workout", owner=UserFactory(username="bob"))
    TagFactory(name="home", owner=UserFactory(username="carol"))
    url = reverse("admin:autocomplete")
    params = {"app_label": "todos", "model_name": "todo", "field_name": "tags"}

    def found(term):
        response = admin_client.get(url, {**params, "term": term})
        return sorted(result["text"] for result in response.json()["results"])

    # Labelled with their owners: many users have a tag named "work".
    assert found("work") == ["work (alice)", "workout (bob)"]
    assert found("carol") == ["home (carol)"]
    assert found("work alice") == ["work (alice)"]


def test_tag_autocomplete_reads_the_owners_with_the_tags(admin_client, django_assert_num_queries):
    for number in range(30):
        TagFactory(name=f"work {number:02}")
    params = {"app_label": "todos", "model_name": "todo", "field_name": "tags", "term": "work"}
    # session, user, savepoint, count, page of 20 tags with their owners, savepoint release
    with django_assert_num_queries(6 + ESTIMATE_QUERIES):
        response = admin_client.get(reverse("admin:autocomplete"), params)
    results = response.json()["results"]
    assert len(results) == 20
    assert results[0]["text"] == f"work 00 ({Tag.objects.get(name='work 00').owner})"


def test_a_todos_chosen_tags_are_labelled_with_their_owner(admin_client):
    todo = TodoFactory(owner__username="alice")
    tag = TagFactory(owner=todo.owner, name="garden")
    todo.tags.add(tag)
    response = admin_client.get(reverse("admin:todos_todo_change", args=[todo.pk]))
    assert f'<option value="{tag.pk}" selected>garden (alice)</option>' in response.content.decode()


def test_owner_autocomplete_searches_users(admin_client):
    UserFactory(username="alice")
    UserFactory(username="bob")
    url = reverse("admin:autocomplete")
    params = {"app_label": "todos", "model_name": "todo", "field_name": "owner", "term": "ali"}
    response = admin_client.get(url, params)
    assert [result["text"] for result in response.json()["results"]] == ["alice"]


# Actions


def test_mark_done_sets_completed_at_bumps_the_version_and_says_how_many(admin_client):
    first, second = TodoFactory.create_batch(2)
    untouched = TodoFactory()
    before = timezone.now()
    response = post_action(admin_client, "mark_done", [first, second])
    assert response.status_code == HTTPStatus.FOUND
    assert messages_of(response) == ["Marked 2 todos as done."]
    for todo in (first, second):
        todo.refresh_from_db()
        assert todo.done
        assert todo.completed_at >= before
        assert todo.updated_at >= before
        assert todo.version == 2
    untouched.refresh_from_db()
    assert (untouched.done, untouched.version) == (False, 1)


def test_mark_done_leaves_todos_already_done_alone(admin_client):
    completed_at = timezone.now() - datetime.timedelta(days=1)
    done = TodoFactory(completed=True, completed_at=completed_at)
    open_todo = TodoFactory()
    response = post_action(admin_client, "mark_done", [done, open_todo])
    assert messages_of(response) == ["Marked 1 todo as done."]
    done.refresh_from_db()
    assert (done.completed_at, done.version) == (completed_at, 1)


def test_mark_not_done_clears_completed_at_and_bumps_the_version(admin_client):
    done = TodoFactory(completed=True)
    open_todo = TodoFactory()
    response = post_action(admin_client, "mark_not_done", [done, open_todo])
    assert messages_of(response) == ["Marked 1 todo as not done."]
    done.refresh_from_db()
    open_todo.refresh_from_db()
    assert (done.done, done.completed_at, done.version) == (False, None, 2)
    assert open_todo.version == 1


def test_mark_done_across_every_page(admin_client):
    todos = TodoFactory.create_batch(3)
    response = post_action(admin_client, "mark_done", todos[:1], select_across=1, index=0)
    assert messages_of(response) == ["Marked 3 todos as done."]
    assert not Todo.objects.active().exists()


def test_mark_done_runs_one_update(admin_client):
    todos = TodoFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        post_action(admin_client, "mark_done", todos)
    assert len([query for query in queries if query["sql"].startswith("UPDATE")]) == 1


def history_of(todo):
    entries = LogEntry.objects.filter(object_id=str(todo.pk), content_type__model="todo")
    return [
        (entry.user.username, entry.action_flag, entry.get_change_message()) for entry in entries
    ]


@pytest.mark.parametrize(("action", "done"), [("mark_done", True), ("mark_not_done", False)])
def test_marking_writes_a_history_entry_for_each_todo_it_changes(admin_client, action, done):
    changing = TodoFactory(title="Water the plants", completed=not done)
    unchanged = TodoFactory(completed=done)
    post_action(admin_client, action, [changing, unchanged])
    assert history_of(changing) == [("admin", CHANGE, "Changed Done.")]
    assert history_of(unchanged) == []
    entry = LogEntry.objects.get()
    assert entry.object_repr == "Water the plants"
    assert entry.get_admin_url() == todo_change_url(changing)


def test_marking_across_every_page_logs_every_change_in_batches(admin_client, monkeypatch):
    monkeypatch.setattr(todos_services, "LOG_BATCH_SIZE", 2)
    todos = TodoFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        post_action(admin_client, "mark_done", todos[:1], select_across=1, index=0)
    inserts = [query for query in queries if 'INTO "django_admin_log"' in query["sql"]]
    assert len(inserts) == 3
    assert sorted(int(pk) for pk in LogEntry.objects.values_list("object_id", flat=True)) == [
        todo.pk for todo in todos
    ]


def test_a_todos_history_page_shows_the_marking(admin_client):
    todo = TodoFactory()
    post_action(admin_client, "mark_done", [todo])
    response = admin_client.get(reverse("admin:todos_todo_history", args=[todo.pk]))
    assert "Changed Done." in response.text


def export(client, todos):
    response = post_action(client, "export_csv", todos)
    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    content = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(content)))


def test_export_csv_streams_a_header_and_a_row_per_selected_todo(admin_client):
    owner = UserFactory(username="alice")
    todo = TodoFactory(
        owner=owner,
        title="Buy milk",
        description="Semi-skimmed",
        priority=Priority.HIGH,
        due_date=datetime.date(2030, 1, 2),
        completed=True,
        # Linked out of name order: the cell lists them by name, ignoring case, as the site does.
        tags=[TagFactory(owner=owner, name=name) for name in ("home", "Garden", "errands")],
    )
    TodoFactory(title="Not selected")
    response, rows = export(admin_client, [todo])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="todos-')
    assert rows[0] == [
        "id",
        "title",
        "description",
        "owner",
        "done",
        "completed_at",
        "priority",
        "due_date",
        "created_at",
        "updated_at",
        "version",
        "tags",
    ]
    assert rows[1:] == [
        [
            str(todo.pk),
            "Buy milk",
            "Semi-skimmed",
            "alice",
            "yes",
            todo.completed_at.isoformat(),
            "High",
            "2030-01-02",
            todo.created_at.isoformat(),
            todo.updated_at.isoformat(),
            "1",
            "errands, Garden, home",
        ]
    ]


def test_export_csv_quotes_commas_quotes_and_newlines(admin_client):
    todo = TodoFactory(
        title='Say "hi", then leave', description="line one\nline two", due_date=None
    )
    _, rows = export(admin_client, [todo])
    assert rows[1][1:3] == ['Say "hi", then leave', "line one\nline two"]
    assert rows[1][7] == ""


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_export_csv_defuses_formulas_in_every_text_cell(admin_client, dangerous):
    owner = UserFactory(username=f"{dangerous[0]}user" if dangerous[0] in "+-@" else "user")
    todo = TodoFactory(
        owner=owner,
        title=f"{dangerous} title",
        description=dangerous,
        tags=[TagFactory(owner=owner, name=f"{dangerous}tag")],
    )
    _, rows = export(admin_client, [todo])
    row = rows[1]
    assert row[1] == f"'{dangerous} title"
    assert row[2] == f"'{dangerous}"
    assert row[11] == f"'{dangerous}tag"
    if owner.username != "user":
        assert row[3] == f"'{owner.username}"


def test_export_csv_reads_the_tags_of_a_chunk_of_todos_in_one_query(admin_client, monkeypatch):
    monkeypatch.setattr(todos_admin, "CSV_CHUNK_SIZE", 20)
    todos = create_tagged_todos(30)
    with CaptureQueriesContext(connection) as queries:
        _, rows = export(admin_client, todos)
    assert len(rows) == 31
    assert {len(row[11].split(", ")) for row in rows[1:]} == {2}
    tag_queries = [query for query in queries if 'FROM "todos_todo_tags"' in query["sql"]]
    assert len(tag_queries) == 2


# Tags


def test_tag_changelist_shows_name_owner_and_todo_count(admin_client):
    owner = UserFactory(username="alice")
    tag = TagFactory(owner=owner, name="Garden")
    TodoFactory.create_batch(3, owner=owner, tags=[tag])
    TagFactory(name="unused")
    response = admin_client.get(TAG_CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    counts = {tag.name: tag.todo_count for tag in response.context["cl"].result_list}
    assert counts == {"Garden": 3, "unused": 0}
    link = f"{TODO_CHANGELIST}?{urlencode({'owner__id__exact': owner.pk, 'tag': 'Garden'})}"
    assert link.replace("&", "&amp;") in response.content.decode()


@with_todo_permissions
def test_tag_todo_counts_show_only_to_staff_who_may_see_todos(
    client, staff, todo_permissions, sees_todos
):
    """As on the users' list: the count links to todos such staff would get a 403 for."""
    codenames = ["view_tag", *todo_permissions]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(staff)
    tag = TagFactory(name="Garden")
    TodoFactory.create_batch(2, owner=tag.owner, tags=[tag])
    response = client.get(TAG_CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    columns = {header["class_attrib"] for header in response.context["result_headers"]}
    assert (' class="column-todo_count"' in columns) is sees_todos
    assert (TODO_CHANGELIST in response.content.decode()) is sees_todos


@pytest.mark.parametrize("name", ["Garden", "Été"])
def test_tag_count_link_lists_that_tags_todos(admin_client, name):
    owner = UserFactory()
    tag = TagFactory(owner=owner, name=name)
    TodoFactory(owner=owner, title="tagged", tags=[tag])
    TodoFactory(owner=owner, title="untagged")
    TodoFactory(title="someone else's", tags=[TagFactory(name=name.lower())])
    tag_list = admin_client.get(TAG_CHANGELIST).content.decode()
    owners_link = rf'<a href="(/admin/todos/todo/\?owner__id__exact={owner.pk}&amp;tag=[^"]+)">'
    (link,) = re.findall(owners_link, tag_list)
    response = admin_client.get(html.unescape(link))
    assert listed_titles(response) == {"tagged"}


@pytest.mark.parametrize("size", [1, 100])
def test_tag_changelist_runs_a_constant_number_of_queries(
    admin_client, django_assert_num_queries, size
):
    owners = UserFactory.create_batch(3)
    for i in range(size):
        tag = TagFactory(owner=owners[i % 3])
        TodoFactory(owner=tag.owner, tags=[tag])
    # session, user, savepoint, count, page with owners and todo counts, savepoint release
    with django_assert_num_queries(6 + ESTIMATE_QUERIES):
        response = admin_client.get(TAG_CHANGELIST)
    assert len(response.context["cl"].result_list) == size


def test_tag_search_by_name_and_owner(admin_client):
    TagFactory(name="garden", owner=UserFactory(username="alice"))
    TagFactory(name="books", owner=UserFactory(username="bob"))

    def found(term):
        response = admin_client.get(TAG_CHANGELIST, {"q": term})
        return {tag.name for tag in response.context["cl"].result_list}

    assert found("gard") == {"garden"}
    assert found("bob") == {"books"}


def test_add_a_tag(admin_client):
    owner = UserFactory()
    response = admin_client.post(reverse("admin:todos_tag_add"), {"owner": owner.pk, "name": "x"})
    assert response.status_code == HTTPStatus.FOUND
    assert Tag.objects.get().owner == owner


@pytest.mark.parametrize(
    ("name", "field", "error"),
    [
        # The constraint is on LOWER(name): Django reports it for the form, not the field.
        ("WORK", "__all__", "You already have a tag with that name."),
        ("  ", "name", "This field is required."),
        # The todo form would split it into two tags.
        ("a,b", "__all__", "Tag names cannot contain commas."),
    ],
)
def test_add_tag_refuses_bad_names(admin_client, name, field, error):
    tag = TagFactory(name="work")
    response = admin_client.post(
        reverse("admin:todos_tag_add"), {"owner": tag.owner.pk, "name": name}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors[field] == [error]
    assert Tag.objects.count() == 1


def test_a_tags_owner_cannot_be_changed(admin_client):
    tag = TagFactory(name="work")
    url = reverse("admin:todos_tag_change", args=[tag.pk])
    response = admin_client.post(url, {"owner": UserFactory().pk, "name": "job"})
    assert response.status_code == HTTPStatus.FOUND
    moved = Tag.objects.get()
    assert (moved.name, moved.owner) == ("job", tag.owner)


@pytest.mark.parametrize("name", ["WORK", "work", " work "])
def test_renaming_a_tag_to_a_name_its_owner_has_is_refused_with_the_constraints_message(
    admin_client, name
):
    work = TagFactory(name="work")
    home = TagFactory(owner=work.owner, name="home")
    todo = TodoFactory(owner=work.owner, tags=[home])
    response = admin_client.post(reverse("admin:todos_tag_change", args=[home.pk]), {"name": name})
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.non_field_errors() == [
        "You already have a tag with that name."
    ]
    home.refresh_from_db()
    todo.refresh_from_db()
    assert (home.name, todo.version) == ("home", 1)


def test_renaming_a_tag_with_a_comma_in_the_admin_says_so_once(admin_client):
    tag = TagFactory(name="home")
    response = admin_client.post(reverse("admin:todos_tag_change", args=[tag.pk]), {"name": "a,b"})
    assert response.context["adminform"].form.non_field_errors() == [
        "Tag names cannot contain commas."
    ]


def test_another_users_tag_name_is_free_to_take_in_the_admin(admin_client):
    TagFactory(name="work")
    mine = TagFactory(name="home")
    admin_client.post(reverse("admin:todos_tag_change", args=[mine.pk]), {"name": "work"})
    mine.refresh_from_db()
    assert mine.name == "work"


def delete_tag_in_the_admin(client, tag):
    client.post(reverse("admin:todos_tag_delete", args=[tag.pk]), {"post": "yes"})


def delete_tags_with_the_action(client, tag):
    data = {"action": "delete_selected", "_selected_action": [tag.pk], "post": "yes"}
    client.post(TAG_CHANGELIST, data)


def rename_tag_in_the_admin(client, tag):
    client.post(reverse("admin:todos_tag_change", args=[tag.pk]), {"name": "job"})


@pytest.mark.parametrize(
    "change", [rename_tag_in_the_admin, delete_tag_in_the_admin, delete_tags_with_the_action]
)
def test_a_tag_changed_in_the_admin_changes_its_todos_and_no_others(admin_client, change):
    tag = TagFactory(name="work")
    tagged = TodoFactory(owner=tag.owner, tags=[tag])
    untagged = TodoFactory(owner=tag.owner)
    change(admin_client, tag)
    tagged.refresh_from_db()
    untagged.refresh_from_db()
    # An edit form opened before at version 1 now meets a conflict instead of undoing it.
    assert (tagged.version, untagged.version) == (2, 1)
    assert Tag.objects.filter(name="work").exists() is False


def test_saving_a_tag_unchanged_in_the_admin_leaves_its_todos_alone(admin_client):
    tag = TagFactory(name="work")
    todo = TodoFactory(owner=tag.owner, tags=[tag])
    admin_client.post(reverse("admin:todos_tag_change", args=[tag.pk]), {"name": "work"})
    todo.refresh_from_db()
    assert todo.version == 1


# The estimated count


def count_queries(paginator):
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    return count, [query["sql"] for query in queries]


class AlwaysEstimate(EstimatedCountPaginator):
    exact_below = 0


def analyze_todos():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE todos_todo")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class is PostgreSQL's")
def test_unfiltered_count_on_postgresql_is_the_planners_estimate():
    TodoFactory.create_batch(30)
    analyze_todos()
    Todo.objects.filter(pk__in=Todo.objects.values("pk")[:10]).delete()
    count, queries = count_queries(AlwaysEstimate(Todo.objects.all(), 10))
    # The estimate has not seen the deletes: proof it did not count the rows.
    assert count == 30
    assert len(queries) == 1
    assert "pg_class" in queries[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class is PostgreSQL's")
def test_small_tables_are_counted_exactly_on_postgresql():
    TodoFactory.create_batch(30)
    analyze_todos()
    Todo.objects.filter(pk__in=Todo.objects.values("pk")[:10]).delete()
    count, queries = count_queries(EstimatedCountPaginator(Todo.objects.all(), 10))
    assert count == 20
    assert "COUNT(*)" in queries[-1]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback for other databases")
def test_unfiltered_count_on_other_databases_is_exact():
    TodoFactory.create_batch(3)
    count, queries = count_queries(AlwaysEstimate(Todo.objects.all(), 10))
    assert count == 3
    assert len(queries) == 1
    assert "COUNT(*)" in queries[0]


@pytest.mark.parametrize(
    "narrow",
    [
        lambda todos: todos.filter(done=True),
        lambda todos: todos.search("milk"),
        lambda todos: todos.distinct(),
        lambda todos: todos[:2],
    ],
    ids=["filtered", "searched", "distinct", "sliced"],
)
def test_narrowed_querysets_are_counted_exactly(narrow):
    TodoFactory.create_batch(3, title="Buy milk", completed=True)
    TodoFactory(title="Other")
    if connection.vendor == "postgresql":
        analyze_todos()
    count, _ = count_queries(AlwaysEstimate(narrow(Todo.objects.all()), 10))
    assert count == narrow(Todo.objects.all()).count()
    assert not isinstance(count, MoreThan)


class CountsTwoPages(AlwaysEstimate):
    counted_pages = 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class is PostgreSQL's")
def test_a_filtered_count_on_a_large_table_stops_after_a_few_pages():
    TodoFactory.create_batch(6, title="Buy milk")
    TodoFactory(title="Other")
    analyze_todos()
    count, queries = count_queries(CountsTwoPages(Todo.objects.search("milk"), 2))
    assert isinstance(count, MoreThan)
    assert str(count) == "more than 4"
    assert count == 5  # the fewest there are
    assert "LIMIT 5" in queries[-1]
    # Within the pages counted, the count is exact.
    assert CountsTwoPages(Todo.objects.search("other"), 2).count == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class is PostgreSQL's")
def test_a_searched_changelist_on_a_large_table_says_how_many_it_counted(admin_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 0)
    monkeypatch.setattr(EstimatedCountPaginator, "counted_pages", 1)
    TodoFactory.create_batch(todos_admin.TodoAdmin.list_per_page + 1, title="Buy milk")
    analyze_todos()
    response = admin_client.get(TODO_CHANGELIST, {"q": "milk"})
    content = response.content.decode()
    per_page = todos_admin.TodoAdmin.list_per_page
    assert f"more than {per_page} results" in content
    assert f"more than {per_page} todos" in content
    assert len(response.context["cl"].result_list) == per_page
    assert response.context["cl"].paginator.num_pages == 1
    # No page past those counted: it held only the one row that showed there were more.
    assert admin_client.get(TODO_CHANGELIST, {"q": "milk", "p": "2"}).url.endswith("?e=1")


def test_a_list_is_counted_by_its_length():
    assert AlwaysEstimate(list(range(7)), 5).count == 7


# Who may enter, and where


def admin_urls():
    owner = UserFactory()
    todo = TodoFactory(owner=owner)
    tag = TagFactory(owner=owner)
    return [
        reverse("admin:index"),
        reverse("admin:app_list", args=["todos"]),
        reverse("admin:users_user_changelist"),
        reverse("admin:users_user_add"),
        reverse("admin:users_user_change", args=[owner.pk]),
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        reverse("admin:todos_todo_changelist"),
        reverse("admin:todos_todo_add"),
        reverse("admin:todos_todo_change", args=[todo.pk]),
        reverse("admin:todos_todo_delete", args=[todo.pk]),
        reverse("admin:todos_tag_changelist"),
        reverse("admin:todos_tag_change", args=[tag.pk]),
        reverse("admin:autocomplete"),
    ]


def test_non_staff_users_are_sent_to_the_admin_login_from_every_page(user_client):
    for url in admin_urls():
        response = user_client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response.url == f"{reverse('admin:login')}?next={url}"


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    url = reverse("admin:todos_todo_changelist")
    response = client.get(url)
    assert response.url == f"{reverse('admin:login')}?next={url}"


def test_non_staff_users_cannot_run_actions(user_client):
    todo = TodoFactory()
    response = post_action(user_client, "mark_done", [todo])
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("admin:login"))
    todo.refresh_from_db()
    assert not todo.done


def resolve_admin_with(admin_url):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ADMIN_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    # Only the printed answer on stdout: no request log lines.
    env["DJANGO_LOG_LEVEL"] = "WARNING"
    if admin_url is not None:
        env["DJANGO_ADMIN_URL"] = admin_url
    script = (
        "import django; django.setup()\n"
        "from django.urls import reverse\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "print(reverse('admin:index'))\n"
        "print(Client().get('/admin/').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_admin_lives_at_admin_by_default():
    assert resolve_admin_with(None) == ["/admin/", str(HTTPStatus.FOUND.value)]


def test_the_admin_moves_to_django_admin_url():
    assert resolve_admin_with("backoffice/") == ["/backoffice/", str(HTTPStatus.NOT_FOUND.value)]


def test_deleting_a_tag_on_many_todos_counts_their_links_and_keeps_the_todos(admin_client):
    tag = TagFactory()
    todos = SummarizedDeletionMixin.deletion_listed_max + 1
    TodoFactory.create_batch(todos, owner=tag.owner, tags=[tag])
    url = reverse("admin:todos_tag_delete", args=[tag.pk])
    response = admin_client.get(url)
    assert dict(response.context["model_count"]) == {"tags": 1, "todo-tag relationships": todos}
    assert "Todo-tag relationship:" not in response.content.decode()
    admin_client.post(url, {"post": "yes"})
    assert not Tag.objects.exists()
    assert Todo.objects.count() == todos


def test_deleting_many_todos_counts_their_tag_links_instead_of_listing_each(admin_client):
    tag = TagFactory()
    many = SummarizedDeletionMixin.deletion_listed_max + 1
    todos = TodoFactory.create_batch(many, owner=tag.owner, tags=[tag])
    data = {"action": "delete_selected", "_selected_action": [todo.pk for todo in todos]}
    response = admin_client.post(TODO_CHANGELIST, data)
    assert dict(response.context["model_count"]) == {"todos": many, "todo-tag relationships": many}
    assert "Todo-tag relationship:" not in response.content.decode()
    admin_client.post(TODO_CHANGELIST, {**data, "post": "yes"})
    assert not Todo.objects.exists()
    assert Tag.objects.get() == tag


def test_deleting_more_todos_than_are_listed_counts_them_too(admin_client):
    many = SummarizedDeletionMixin.deletion_listed_max + 1
    todos = TodoFactory.create_batch(many)  # no tags: nothing else goes with them
    data = {"action": "delete_selected", "_selected_action": [todos[0].pk], "select_across": 1}
    response = admin_client.post(TODO_CHANGELIST, data)
    page = response.content.decode()
    assert f"{many} todos, not listed one by one." in page
    assert todo_change_url(todos[0]) not in page
    assert "With them" not in page
    admin_client.post(TODO_CHANGELIST, {**data, "post": "yes"})
    assert not Todo.objects.exists()


# Saved elsewhere while the change page was open


def test_a_save_after_someone_elses_is_refused_and_then_may_write_over_it(admin_client):
    todo = TodoFactory(title="As opened")
    opened_at = todo.version
    Todo.objects.filter(pk=todo.pk).update_with_new_version(title="Saved on the site")

    data = todo_form_data(owner=todo.owner.pk, title="Staff's edit", loaded_version=opened_at)
    response = admin_client.post(todo_change_url(todo), data)

    assert response.status_code == HTTPStatus.OK
    (error,) = response.context["adminform"].form.non_field_errors()
    assert error.startswith("Someone changed this todo since this page was opened")
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Saved on the site", opened_at + 1)
    # The form comes back at the version saved: the second save is a deliberate one.
    shown = re.search(r'name="loaded_version" value="(\d+)"', response.content.decode())[1]
    assert admin_client.post(
        todo_change_url(todo), {**data, "loaded_version": shown}
    ).status_code == (HTTPStatus.FOUND)
    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Staff's edit", opened_at + 2)


def test_a_save_of_a_todo_deleted_meanwhile_does_not_bring_it_back(admin_client, monkeypatch):
    todo = TodoFactory()
    data = todo_form_data(owner=todo.owner.pk, title="Back?", loaded_version=todo.version)
    # Deleted between the page's lookup of the todo and the form's check.
    original = todos_admin.TodoAdminForm.check_unchanged_since_loaded

    def deleted_first(form):
        Todo.objects.filter(pk=todo.pk).delete()
        return original(form)

    monkeypatch.setattr(todos_admin.TodoAdminForm, "check_unchanged_since_loaded", deleted_first)
    response = admin_client.post(todo_change_url(todo), data)
    assert response.status_code == HTTPStatus.OK
    assert "This todo was deleted meanwhile" in response.content.decode()
    assert not Todo.objects.exists()


def test_a_new_owner_deleted_meanwhile_is_refused(admin_client, monkeypatch):
    todo = TodoFactory(title="As it was")
    owner_before = todo.owner_id
    leaving = UserFactory(username="leaving")
    data = todo_form_data(owner=leaving.pk, title="Moved", loaded_version=todo.version)
    rows = User.objects.filter(pk=leaving.pk)
    deleting_during_clean(monkeypatch, todos_admin.TodoAdminForm, "title", rows)
    response = admin_client.post(todo_change_url(todo), data)
    assert response.status_code == HTTPStatus.OK
    assert "leaving was deleted meanwhile; choose another owner." in response.content.decode()
    todo.refresh_from_db()
    assert (todo.owner_id, todo.title, todo.version) == (owner_before, "As it was", 1)


def deleting_during_clean(monkeypatch, form_class, field, rows):
    """Deletes `rows` once `form_class` has cleaned `field`, as another request would."""

    def deleted_first(form):
        rows.delete()
        return form.cleaned_data[field]

    monkeypatch.setattr(form_class, f"clean_{field}", deleted_first, raising=False)


@pytest.mark.parametrize("name", ["old", "new"], ids=["saved as it was", "renamed"])
def test_a_save_of_a_tag_deleted_meanwhile_does_not_bring_it_back(admin_client, monkeypatch, name):
    tag = TagFactory(name="old")
    deleting_during_clean(monkeypatch, todos_admin.TagAdminForm, "name", Tag.objects.all())
    response = admin_client.post(reverse("admin:todos_tag_change", args=[tag.pk]), {"name": name})
    assert response.status_code == HTTPStatus.OK
    assert "This tag was deleted meanwhile" in response.content.decode()
    assert not Tag.objects.exists()


def test_a_tag_for_an_owner_deleted_meanwhile_is_refused(admin_client, monkeypatch):
    leaving = UserFactory(username="leaving")
    rows = User.objects.filter(pk=leaving.pk)
    deleting_during_clean(monkeypatch, todos_admin.TagAdminForm, "name", rows)
    response = admin_client.post(reverse("admin:todos_tag_add"), {"owner": leaving.pk, "name": "x"})
    assert response.status_code == HTTPStatus.OK
    assert "leaving was deleted meanwhile; choose another owner." in response.content.decode()
    assert not Tag.objects.exists()


def test_a_tag_deleted_meanwhile_is_refused_on_the_tags_field(admin_client, monkeypatch):
    todo = TodoFactory()
    kept, deleted = TagFactory(owner=todo.owner, name="kept"), TagFactory(owner=todo.owner)
    data = todo_form_data(owner=todo.owner.pk, tags=[kept.pk, deleted.pk])
    # The tags field has read both; the tag goes before the form's own check.
    rows = Tag.objects.filter(pk=deleted.pk)
    deleting_during_clean(monkeypatch, todos_admin.TodoAdminForm, "due_date", rows)
    response = post_change(admin_client, todo, data)
    assert response.status_code == HTTPStatus.OK
    assert f"These tags were deleted meanwhile: {deleted.name}." in response.content.decode()
    assert not todo.tags.exists()


def test_the_add_form_carries_no_version(admin_client):
    response = admin_client.get(reverse("admin:todos_todo_add"))
    assert 'name="loaded_version"' not in response.content.decode()


def test_the_tag_filter_marks_a_name_spelt_otherwise_in_the_url(admin_client):
    owner = UserFactory()
    TagFactory(owner=owner, name="ZZ")
    response = admin_client.get(TODO_CHANGELIST, {"owner__id__exact": owner.pk, "tag": "ZZ"})
    (tag_filter,) = [f for f in response.context["cl"].filter_specs if isinstance(f, TagFilter)]
    selected = [
        choice["display"]
        for choice in tag_filter.choices(response.context["cl"])
        if choice["selected"]
    ]
    assert selected == ["ZZ"]


def test_a_todos_page_that_cannot_be_saved_carries_no_version(client, staff):
    staff.user_permissions.add(Permission.objects.get(codename="view_todo"))
    client.force_login(staff)
    response = client.get(todo_change_url(TodoFactory()))
    assert response.status_code == HTTPStatus.OK
    assert "Loaded version" not in response.content.decode()
