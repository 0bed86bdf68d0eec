import datetime
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from tests.factories import TagFactory, TodoFactory
from tests.todos.conftest import HTMX
from todos.listing import ListOptions, ListSort
from todos.models import Todo

pytestmark = pytest.mark.django_db

LIST_URL = reverse("todos:list")
# Session, user, the counts (which give the paginator its total too), the page of todos, their
# tags, the user's tags for the filter; the page is read-only, so no ATOMIC_REQUESTS savepoint.
LIST_QUERIES = 6
# With a search or a tag, the page of todos brings the counts: one query fewer.
SEARCHED_LIST_QUERIES = LIST_QUERIES - 1


def listed(response):
    return [todo.title for todo in response.context["todo_list"]]


def get(client, query=""):
    response = client.get(f"{LIST_URL}?{query}" if query else LIST_URL)
    assert response.status_code == HTTPStatus.OK
    return response


def test_list_shows_only_my_todos_newest_first(user_client, user, other_user):
    now = timezone.now()
    TodoFactory(owner=user, title="Older", created_at=now - datetime.timedelta(days=1))
    TodoFactory(owner=user, title="Newer", created_at=now)
    TodoFactory(owner=other_user, title="Someone else's")
    response = get(user_client)
    assert listed(response) == ["Newer", "Older"]
    assert b"Someone else" not in response.content


def test_empty_list_invites_to_add(user_client):
    assert b"No todos yet" in get(user_client).content


@pytest.mark.parametrize(
    ("status", "titles"),
    [("all", {"Open", "Done"}), ("active", {"Open"}), ("completed", {"Done"})],
)
def test_status_filters(user_client, user, status, titles):
    TodoFactory(owner=user, title="Open")
    TodoFactory(owner=user, title="Done", completed=True)
    assert set(listed(get(user_client, f"status={status}"))) == titles


def test_search_matches_title_and_description_ignoring_case(user_client, user):
    TodoFactory(owner=user, title="Call the BANK")
    TodoFactory(owner=user, title="Groceries", description="cash from the bank")
    TodoFactory(owner=user, title="Walk")
    assert set(listed(get(user_client, "q=bank"))) == {"Call the BANK", "Groceries"}


def test_search_treats_like_wildcards_literally(user_client, user):
    TodoFactory(owner=user, title="100% done")
    TodoFactory(owner=user, title="1000 things")
    assert listed(get(user_client, "q=100%25")) == ["100% done"]


def test_tag_filter_ignores_case_and_unknown_tag_lists_nothing(user_client, user):
    work = TagFactory(owner=user, name="Work")
    TodoFactory(owner=user, title="Report", tags=[work])
    TodoFactory(owner=user, title="Laundry")
    assert listed(get(user_client, "tag=work")) == ["Report"]
    response = get(user_client, "tag=nope")
    assert listed(response) == []
    assert b"No todos match" in response.content


def tag_options(response):
    select = re.search(r'<select id="filter-tag".*?</select>', response.content.decode(), re.S)[0]
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)


def test_the_tag_filter_shows_the_tag_filtered_by(user_client, user):
    TagFactory(owner=user, name="Work")
    TagFactory(owner=user, name="home")
    assert tag_options(get(user_client, "tag=WORK")) == [
        ("", "", "Any tag"),
        ("home", "", "home"),
        ("Work", " selected", "Work"),
    ]


def test_a_tag_filter_for_a_tag_gone_since_names_it_rather_than_any_tag(user_client, user):
    TagFactory(owner=user, name="home")
    response = get(user_client, "tag=ghost")
    assert tag_options(response) == [
        ("", "", "Any tag"),
        ("ghost", " selected", "ghost (no such tag)"),
        ("home", "", "home"),
    ]
    assert b"No todos match" in response.content


def test_tag_filter_never_matches_another_users_tag(user_client, user, other_user):
    theirs = TagFactory(owner=other_user, name="work")
    TodoFactory(owner=other_user, tags=[theirs])
    TodoFactory(owner=user)
    assert listed(get(user_client, "tag=work")) == []


@pytest.fixture
def sortable(user):
    today = timezone.localdate()
    now = timezone.now()
    rows = [
        ("b", 2, today + datetime.timedelta(days=2), now - datetime.timedelta(hours=3)),
        ("a", 3, None, now - datetime.timedelta(hours=2)),
        ("c", 1, today + datetime.timedelta(days=1), now - datetime.timedelta(hours=1)),
    ]
    for title, priority, due, created in rows:
        TodoFactory(owner=user, title=title, priority=priority, due_date=due, created_at=created)


SORT_CASES = [
    ("-created", ["c", "a", "b"]),
    ("created", ["b", "a", "c"]),
    ("due", ["c", "b", "a"]),  # no due date last
    ("-due", ["b", "c", "a"]),  # no due date last either way
    ("priority", ["c", "b", "a"]),
    ("-priority", ["a", "b", "c"]),
    ("title", ["a", "b", "c"]),
    ("-title", ["c", "b", "a"]),
]


@pytest.mark.usefixtures("sortable")
@pytest.mark.parametrize(("sort", "titles"), SORT_CASES)
def test_each_sort(user_client, sort, titles):
    assert listed(get(user_client, f"sort={sort}")) == titles


@pytest.mark.parametrize(("sort", "step"), [("title", 1), ("-title", -1)])
def test_titles_sort_ignoring_letter_case(user_client, user, sort, step):
    for title in ("Zebra crossing", "apple pie", "Banana", "Apple pie"):
        TodoFactory(owner=user, title=title)
    # Equal ignoring case: by id, in the sort's direction.
    expected = ["apple pie", "Apple pie", "Banana", "Zebra crossing"]
    assert listed(get(user_client, f"sort={sort}")) == expected[::step]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("sort", ["title", "-title"])
def test_a_page_by_title_reads_its_index_in_order(user, sort):
    TodoFactory.create_batch(3, owner=user)
    options = ListOptions.from_query(QueryDict(f"sort={sort}"))
    todos = options.listed(Todo.objects.for_user(user), user)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = todos[:25].explain()
    assert "todo_owner_title_ci_idx" in plan
    assert "Sort" not in plan


def test_every_sort_is_tested():
    assert {sort for sort, _ in SORT_CASES} == set(ListSort.values)


@pytest.mark.parametrize(("sort", "descending"), [(s, s.startswith("-")) for s, _ in SORT_CASES])
def test_ties_in_each_sort_come_by_id_in_its_direction_across_pages(
    user_client, user, sort, descending
):
    # Equal in every sorted field: only the id orders them, so pages never repeat or skip one.
    created = timezone.now()
    due = timezone.localdate()
    ids = [
        TodoFactory(owner=user, title="same", priority=2, due_date=due, created_at=created).pk
        for _ in range(12)
    ]
    pages = [get(user_client, f"sort={sort}&per_page=10&page={page}") for page in (1, 2)]
    listed_ids = [todo.pk for page in pages for todo in page.context["todo_list"]]
    assert listed_ids == sorted(ids, reverse=descending)


def test_pagination_shows_the_total_and_pages_do_not_overlap(user_client, user):
    TodoFactory.create_batch(23, owner=user)
    first = get(user_client, "per_page=10")
    third = get(user_client, "per_page=10&page=3")
    assert b"Page 1 of 3" in first.content
    assert b"23 todos" in first.content
    assert len(listed(first)) == 10
    assert len(listed(third)) == 3
    all_titles = listed(get(user_client, "per_page=100"))
    pages = [
        title for n in (1, 2, 3) for title in listed(get(user_client, f"per_page=10&page={n}"))
    ]
    assert pages == all_titles


def test_every_link_on_the_list_keeps_the_other_parameters(user_client, user):
    tag = TagFactory(owner=user, name="work")
    TodoFactory.create_batch(25, owner=user, title="milk run", tags=[tag])
    query = "status=active&q=milk&tag=work&sort=title&per_page=10&page=2"
    response = get(user_client, query)
    content = response.content.decode()

    for name, label in [
        ("page=1", "First"),
        ("page=1", "Previous"),
        ("page=3", "Next"),
        ("page=3", "Last"),
    ]:
        link = re.search(rf'href="([^"]*)"[^>]*>{label}<', content).group(1)
        for kept in ("status=active", "q=milk", "tag=work", "sort=title", "per_page=10", name):
            assert kept in link, (label, link)

    status_link = re.search(r'href="([^"]*)"[^>]*>Completed<', content).group(1)
    assert "status=completed" in status_link
    for kept in ("q=milk", "tag=work", "sort=title", "per_page=10"):
        assert kept in status_link

    sort_link = re.search(r'href="([^"]*)"[^>]*>Due<', content).group(1)
    for kept in ("status=active", "q=milk", "tag=work", "sort=due", "per_page=10"):
        assert kept in sort_link

    todo = response.context["todo_list"][0]
    for url_name in ("toggle", "delete", "update", "detail"):
        action = reverse(f"todos:{url_name}", args=[todo.pk])
        assert f"{action}?{query.replace('&', '&amp;')}" in content, url_name
    for url_name in ("create", "toggle_all"):
        assert f"{reverse(f'todos:{url_name}')}?{query.replace('&', '&amp;')}" in content


def test_the_search_form_keeps_status_and_sort_as_hidden_fields(user_client):
    content = get(user_client, "status=completed&sort=due&q=x&page=4").content.decode()
    assert '<input type="hidden" name="status" value="completed">' in content
    assert '<input type="hidden" name="sort" value="due">' in content
    assert 'type="hidden" name="page"' not in content


def test_the_current_sort_link_reverses_it(user_client):
    response = get(user_client, "sort=due")
    links = {link["label"]: link for link in response.context["sorts"]}
    assert links["Due"]["value"] == "-due"
    assert links["Due"]["current"] == "due"
    assert links["Title"]["value"] == "title"


def test_defaults_come_from_the_preferences(user_client, user):
    user.preferences = {"default_status": "active", "default_sort": "title", "page_size": 10}
    user.save()
    TodoFactory.create_batch(12, owner=user)
    TodoFactory(owner=user, title="0 first by title")
    TodoFactory(owner=user, title="done", completed=True)

    response = get(user_client)
    titles = listed(response)
    assert len(titles) == 10
    assert titles[0] == "0 first by title"
    assert "done" not in titles
    assert response.context["paginator"].count == 13


def test_the_url_overrides_the_preferences(user_client, user):
    user.preferences = {"default_status": "active", "page_size": 10}
    user.save()
    TodoFactory(owner=user, title="done", completed=True)
    assert listed(get(user_client, "status=completed")) == ["done"]


@pytest.mark.parametrize(
    "preferences",
    [{"default_status": "nope", "default_sort": 3, "page_size": 0}, {"page_size": "x" * 100}],
)
def test_bad_preferences_fall_back_to_the_defaults(user_client, user, preferences):
    user.preferences = preferences
    user.save()
    TodoFactory.create_batch(26, owner=user)
    assert len(listed(get(user_client))) == 25


def test_counts_are_for_the_search_and_tag_whatever_the_status(user_client, user):
    work = TagFactory(owner=user, name="work")
    TodoFactory.create_batch(3, owner=user, title="report", tags=[work])
    TodoFactory.create_batch(2, owner=user, title="report", tags=[work], completed=True)
    TodoFactory.create_batch(4, owner=user, title="report")  # untagged
    TodoFactory(owner=user, title="other", tags=[work])

    response = get(user_client, "q=report&tag=work&status=completed")

    assert response.context["counts"] == {"active": 3, "completed": 2}
    assert b"<strong>3</strong> items left" in response.content
    assert b"Clear completed (2)" in response.content
    assert response.context["paginator"].count == 2


def test_overdue_todos_are_marked(user_client, user):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = TodoFactory(owner=user, due_date=yesterday)
    TodoFactory(owner=user, due_date=yesterday, completed=True)
    content = get(user_client).content.decode()
    assert content.count("todo-overdue") == 1
    assert f'todo-overdue" id="todo-{late.pk}"' in content
    assert "Overdue" in content


def test_each_todos_tags_are_shown_as_filter_links(user_client, user):
    TodoFactory(owner=user, tags=[TagFactory(owner=user, name="home")])
    assert b'class="tag" href="?tag=home"' in get(user_client).content


def test_a_tag_link_keeps_the_other_parameters_and_goes_to_the_first_page(user_client, user):
    tags = [TagFactory(owner=user, name="work"), TagFactory(owner=user, name="r&d team")]
    TodoFactory.create_batch(12, owner=user, title="milk", tags=tags)
    content = get(user_client, "status=active&q=milk&tag=work&page=2&per_page=10").content
    kept = b"?status=active&amp;q=milk&amp;per_page=10&amp;tag="
    assert b'class="tag" href="' + kept + b'r%26d%20team"' in content
    assert b'class="tag" href="' + kept + b'work"' in content


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=abc",
        "page=0",
        "page=99999999999999999999999999",
        "page=" + "9" * 5000,
        "per_page=0",
        "per_page=100000",
        "per_page=abc",
        "sort=drop+table",
        "status=unknown",
        "q=" + "x" * 10000,
        "q=%00",
        "q=milk%00run",
        "tag=%00",
        "tag=" + "t" * 500,
        "status=%00&sort=%00&page=%00&per_page=%00",
        "q=%ff%fe",
        "status=active&status=completed",
    ],
)
def test_bad_parameters_never_fail(user_client, user, query):
    TodoFactory.create_batch(3, owner=user)
    response = get(user_client, query)
    assert response.status_code == HTTPStatus.OK


def test_a_page_past_the_end_shows_the_last_page(user_client, user):
    TodoFactory.create_batch(12, owner=user)
    response = get(user_client, "per_page=10&page=999")
    assert response.context["page_obj"].number == 2


def test_list_for_htmx_is_the_fragment_with_out_of_band_messages(user_client, user):
    TodoFactory(owner=user, title="Fragment me")
    response = user_client.get(LIST_URL, headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<title>My todos · Todos</title>\n<div id="messages"')
    assert 'hx-swap-oob="innerHTML"' in content  # the live region itself stays
    assert "Fragment me" in content
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def never_cached(response):
    parts = {part.strip() for part in response["Cache-Control"].split(",")}
    return {"no-store", "no-cache", "private"} <= parts


def test_the_list_is_never_served_from_a_cache(user_client):
    # htmx changes it in place; Back must fetch it again, and show nothing after a logout.
    assert never_cached(get(user_client))


@pytest.mark.parametrize(
    "name",
    ["todos:detail", "todos:update", "todos:delete", "todos:tag_list", "tag_update", "tag_delete"],
)
def test_every_other_page_of_the_todos_is_never_served_from_a_cache_either(user_client, user, name):
    """Back after an in-place toggle showed a todo's page or the tags' counts as they were."""
    todo = TodoFactory(owner=user, tags=[TagFactory(owner=user)])
    if name.startswith("tag_"):
        url = reverse(f"todos:{name}", args=[todo.tags.get().pk])
    elif name == "todos:tag_list":
        url = reverse(name)
    else:
        url = reverse(name, args=[todo.pk])
    response = user_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert never_cached(response)


def test_the_profile_is_never_served_from_a_cache(user_client):
    assert never_cached(user_client.get(reverse("users:profile")))


def test_the_quick_add_takes_the_focus_only_on_the_list_as_it_first_opens(user_client, user):
    """To type at once; but another page, sort or filter starts at the top, not past the
    heading and the filters."""
    TodoFactory.create_batch(3, owner=user)
    assert "autofocus" in get(user_client).content.decode()
    for query in ("page=1", "sort=due", "status=active", "q=x"):
        assert "autofocus" not in get(user_client, query).content.decode(), query
    assert "autofocus" not in user_client.get(LIST_URL, headers=HTMX).content.decode()


def test_the_message_box_is_empty_when_there_is_no_message(user_client):
    # The stylesheet hides it with :empty, which whitespace would defeat.
    content = get(user_client).content.decode()
    assert re.search(r'<div id="messages"[^>]*></div>', content)


def test_list_page_loads_htmx_and_works_without_it(user_client):
    content = get(user_client).content.decode()
    assert re.search(r'<script src="[^"]*/htmx[^"/]*\.js"', content)
    assert 'method="post" action="/todos/new/"' in content
    assert 'hx-post="/todos/new/"' in content


def test_the_list_page_runs_the_same_queries_for_1_10_and_100_todos(
    user_client, user, django_assert_num_queries
):
    tags = TagFactory.create_batch(4, owner=user)
    created = 0
    for size in (1, 10, 100):
        TodoFactory.create_batch(size - created, owner=user, tags=tags)
        created = size
        with django_assert_num_queries(LIST_QUERIES):
            response = user_client.get(LIST_URL, {"per_page": 100, "q": "", "tag": ""})
        assert len(response.context["todo_list"]) == size
        assert response.content.count(b'class="tag"') == size * 4


def test_a_status_filter_alone_runs_the_same_queries(user_client, user, django_assert_num_queries):
    TodoFactory.create_batch(30, owner=user)
    with django_assert_num_queries(LIST_QUERIES):
        get(user_client, "status=active&sort=-due&per_page=10&page=2")


def test_a_searched_and_tagged_list_runs_the_same_queries_for_1_10_and_100_todos(
    user_client, user, django_assert_num_queries
):
    tag = TagFactory(owner=user, name="work")
    created = 0
    for size in (1, 10, 100):
        TodoFactory.create_batch(size - created, owner=user, title="milk", tags=[tag])
        created = size
        with django_assert_num_queries(SEARCHED_LIST_QUERIES):
            response = get(user_client, "status=active&q=milk&tag=work&sort=-due&per_page=100")
        assert len(response.context["todo_list"]) == size


@pytest.fixture
def milk_runs(user):
    """Todos matching q=milk&tag=work, some done, with due dates that mix the statuses up."""
    work = TagFactory(owner=user, name="work")
    today = timezone.localdate()
    for day in range(26):
        TodoFactory(
            owner=user,
            title=f"milk {day}",
            done=day % 3 == 0,
            due_date=today + datetime.timedelta(days=day) if day % 4 else None,
            tags=[work],
        )
    TodoFactory(owner=user, title="milk, untagged")
    TodoFactory(owner=user, title="bread", tags=[work])


@pytest.mark.usefixtures("milk_runs")
@pytest.mark.parametrize("status", ["all", "active", "completed"])
@pytest.mark.parametrize("page", [1, 2, 3, 4, 99])
def test_a_searched_list_in_one_query_shows_the_pages_and_counts_of_two(
    user_client, user, status, page
):
    query = f"status={status}&q=milk&tag=work&sort=due&per_page=10"
    options = ListOptions.from_query(QueryDict(query))
    # The two queries of a list without a search or tag: the counts, then the listed todos.
    counts = options.matching(Todo.objects.for_user(user), user).counts()
    expected = list(options.listed(Todo.objects.for_user(user), user))
    last_page = max(1, -(-len(expected) // 10))
    shown = min(page, last_page)

    response = get(user_client, f"{query}&page={page}")

    assert response.context["counts"] == counts
    assert response.context["page_obj"].number == shown
    assert list(response.context["todo_list"]) == expected[(shown - 1) * 10 : shown * 10]
    assert response.context["paginator"].count == len(expected)


def test_a_searched_list_with_nothing_of_its_status_is_empty_with_its_counts(user_client, user):
    TodoFactory.create_batch(3, owner=user, title="milk", done=False)
    response = get(user_client, "status=completed&q=milk")
    assert listed(response) == []
    assert response.context["counts"] == {"active": 3, "completed": 0}


@pytest.mark.parametrize(
    ("query", "done", "says"),
    [
        ("status=active", True, "No active todos: all are done."),
        ("status=completed", False, "No completed todos yet."),
        ("q=nothing-like-it", False, "No todos match."),
        ("status=active", None, "No todos yet — add one above."),
    ],
)
def test_an_empty_list_says_why(user_client, user, query, done, says):
    if done is not None:
        TodoFactory(owner=user, completed=done)
    content = get(user_client, query).content.decode()
    empty = re.search(r'<li class="empty">(.*?)</li>', content, re.S)[1]
    assert empty.strip().startswith(says)
    assert ("Show all todos" in empty) is (done is not None)
