"""A staff member works through the todos in the admin."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, TodoFactory, UserFactory
from todos.models import Todo


@pytest.fixture
def staff(transactional_db):
    return UserFactory(
        username="olive", is_staff=True, is_superuser=True, password=DEFAULT_PASSWORD
    )


def test_staff_search_todos_and_delete_a_selection(page, staff):
    owner = UserFactory()
    for title in ("Pay the invoice from Acme", "Chase the invoice from Bolt", "Walk the dog"):
        TodoFactory(owner=owner, title=title)

    page.goto("/admin/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#todos-todo").get_by_role("link", name="Todos").click()

    page.locator("#searchbar").fill("invoice")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list")).not_to_contain_text("Walk the dog")

    page.get_by_role(
        "checkbox", name="Select this object for an action - Pay the invoice from Acme"
    ).check()
    page.locator("select[name=action]").select_option(label="Delete selected todos")
    page.get_by_role("button", name="Go").click()
    page.get_by_role("button", name=re.compile(r"^Yes, I.m sure$")).click()

    expect(page.locator(".messagelist")).to_contain_text("Successfully deleted 1 todo.")
    assert sorted(Todo.objects.values_list("title", flat=True)) == [
        "Chase the invoice from Bolt",
        "Walk the dog",
    ]
