"""A staff member works through the todos in the admin: search, a bulk action, a CSV export."""

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, TagFactory, TodoFactory, UserFactory
from todos.models import Todo


@pytest.fixture
def superuser(transactional_db):
    return UserFactory(username="olive", is_staff=True, is_superuser=True)


def select_todo(page, title):
    page.get_by_role("checkbox", name=f"Select this object for an action - {title}").check()


def run_action(page, label):
    page.locator("select[name=action]").select_option(label=label)
    page.get_by_role("button", name="Go").click()


def test_staff_search_mark_done_and_export_a_selection_as_csv(page, superuser):
    owner = UserFactory(username="sam")
    TodoFactory(
        owner=owner, title="Pay the invoice from Acme", tags=[TagFactory(owner=owner, name="bills")]
    )
    TodoFactory(owner=owner, title="Chase the invoice from Bolt")
    TodoFactory(owner=owner, title="Walk the dog")

    page.goto("/admin/")
    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#todos-todo").get_by_role("link", name="Todos").click()

    page.locator("#searchbar").fill("invoice")
    page.get_by_role("button", name="Search").click()
    titles = page.locator("#result_list tbody th a")
    expect(titles).to_have_count(2)
    expect(page.locator("#result_list")).not_to_contain_text("Walk the dog")

    select_todo(page, "Pay the invoice from Acme")
    select_todo(page, "Chase the invoice from Bolt")
    run_action(page, "Mark selected todos as done")
    expect(page.locator(".messagelist")).to_have_text("Marked 2 todos as done.")
    # Back on the same search, with the todos done.
    expect(page.locator("#searchbar")).to_have_value("invoice")
    assert dict(Todo.objects.values_list("title", "done")) == {
        "Pay the invoice from Acme": True,
        "Chase the invoice from Bolt": True,
        "Walk the dog": False,
    }

    select_todo(page, "Pay the invoice from Acme")
    with page.expect_download() as download_info:
        run_action(page, "Export selected todos as CSV")
    download = download_info.value
    assert download.suggested_filename.startswith("todos-")
    assert download.suggested_filename.endswith(".csv")
    with Path(download.path()).open(newline="", encoding="utf-8") as exported:
        rows = list(csv.DictReader(exported))
    assert [(row["title"], row["owner"], row["done"], row["tags"]) for row in rows] == [
        ("Pay the invoice from Acme", "sam", "yes", "bills")
    ]


def test_every_kind_of_admin_page_works_under_the_content_security_policy(page, superuser):
    # The page fixture fails the test on any console error, a refused script, style or image
    # included; each page also waits for its scripts (the autocomplete widgets) to run.
    owner = UserFactory(username="sam")
    tag = TagFactory(owner=owner, name="bills")
    todo = TodoFactory(owner=owner, title="Pay the invoice", tags=[tag])
    page.goto("/admin/")
    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    urls = [
        "/admin/todos/todo/?q=invoice",
        f"/admin/todos/todo/{todo.pk}/change/",
        "/admin/todos/todo/add/",
        f"/admin/todos/todo/{todo.pk}/delete/",
        f"/admin/todos/todo/{todo.pk}/history/",
        "/admin/todos/tag/",
        f"/admin/todos/tag/{tag.pk}/change/",
        "/admin/users/user/",
        f"/admin/users/user/{owner.pk}/change/",
        f"/admin/users/user/{owner.pk}/password/",
        "/admin/users/user/add/",
    ]
    for url in urls:
        assert page.goto(url).ok, url
        page.wait_for_load_state("load")
    # The owner's autocomplete (select2, from the admin's own scripts) came to life.
    page.goto(f"/admin/todos/todo/{todo.pk}/change/")
    expect(page.locator(".select2-container").first).to_be_visible()
