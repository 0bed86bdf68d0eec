"""A new visitor's first session, with JavaScript (htmx) and without it (plain forms)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in, main_frame_navigations
from tests.factories import TodoFactory
from tests.users.helpers import PASSWORD_MISMATCH
from todos.models import Priority, Todo
from users.models import User

PASSWORD = "plum-orbit-quiet-87"
TITLES = ["Buy oat milk", "Call the plumber", "Plan the garden"]
NEWEST_FIRST = TITLES[::-1]


def todo_rows(page):
    return page.locator("#todo-list li.todo")


def listed_titles(page):
    """The titles in the list, newest first unless sorted otherwise."""
    return page.locator("#todo-list .todo-title")


def quick_add(page, title):
    rows = todo_rows(page).count()
    page.get_by_label("What needs to be done?").fill(title)
    page.get_by_label("What needs to be done?").press("Enter")
    expect(todo_rows(page)).to_have_count(rows + 1)


def apply_filters(page, *, search=None, tag=None):
    if search is not None:
        page.get_by_role("searchbox", name="Search").fill(search)
    if tag is not None:
        page.get_by_label("Tag", exact=True).select_option(tag)
    page.get_by_role("button", name="Apply").click()


def sign_up(page, username, *, confirmation):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(f"{username}@example.com")
    page.get_by_role("textbox", name="Password (required)", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(confirmation)
    page.get_by_role("button", name="Sign up").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_a_new_visitor_signs_up_and_works_through_their_todos(
    new_context, transactional_db, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()

    sign_up(page, "ada", confirmation="not-the-same-password")
    expect(page.locator(".field-error")).to_have_text([PASSWORD_MISMATCH])
    assert not User.objects.filter(username="ada").exists()

    sign_up(page, "ada", confirmation=PASSWORD)
    expect(page).to_have_url("/todos/")
    expect(page.locator("#messages")).to_contain_text("Welcome, ada!")
    expect(page.locator("#todo-list")).to_have_text("No todos yet — add one above.")

    navigations = main_frame_navigations(page)
    for title in TITLES:
        quick_add(page, title)
    page.get_by_role("button", name="Done: Buy oat milk").click()
    expect(page.get_by_role("button", name="Done: Buy oat milk")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#todo-count")).to_have_text("2 items left · 1 completed")
    # htmx swaps the list in place; plain forms post and follow the redirect back.
    assert bool(navigations) is not javascript

    page.get_by_role("link", name="Active", exact=True).click()
    expect(listed_titles(page)).to_have_text(["Plan the garden", "Call the plumber"])
    page.get_by_role("link", name="Completed", exact=True).click()
    expect(listed_titles(page)).to_have_text(["Buy oat milk"])
    page.get_by_role("link", name="All", exact=True).click()
    expect(listed_titles(page)).to_have_text(NEWEST_FIRST)
    expect(page.locator("#todo-count")).to_contain_text("2 items left")

    page.get_by_role("link", name="Edit Call the plumber").click()
    expect(page.get_by_role("heading", name="Edit todo")).to_be_visible()
    page.get_by_label("Due date").fill("2031-03-14")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_label("Tags").fill("home, urgent")
    page.get_by_role("button", name="Save").click()
    # Back to the list as it was shown, filter included.
    expect(page).to_have_url("/todos/?status=all")
    expect(page.locator("#messages")).to_contain_text("Saved “Call the plumber”.")
    plumber = todo_rows(page).filter(has_text="Call the plumber")
    expect(plumber).to_contain_text("due 14 Mar 2031")
    expect(plumber).to_contain_text("High priority")
    expect(plumber.locator(".tag")).to_have_text(["home", "urgent"])

    apply_filters(page, tag="urgent")
    expect(listed_titles(page)).to_have_text(["Call the plumber"])
    apply_filters(page, search="garden", tag="")
    expect(listed_titles(page)).to_have_text(["Plan the garden"])
    page.get_by_role("link", name="Clear search and tag").click()
    expect(listed_titles(page)).to_have_text(NEWEST_FIRST)

    page.get_by_role("button", name="Clear completed (1)").click()
    expect(listed_titles(page)).to_have_text(NEWEST_FIRST[:2])
    expect(page.locator("#todo-count")).to_have_text("2 items left · 0 completed")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/accounts/login/")
    expect(page.locator("#messages")).to_have_text("You have been logged out.")

    ada = User.objects.get(username="ada")
    todos = {todo.title: todo for todo in Todo.objects.for_user(ada).prefetch_related("tags")}
    assert sorted(todos) == ["Call the plumber", "Plan the garden"]
    plumber = todos["Call the plumber"]
    assert plumber.due_date == datetime.date(2031, 3, 14)
    assert plumber.priority == Priority.HIGH
    assert sorted(tag.name for tag in plumber.tags.all()) == ["home", "urgent"]
    assert not any(todo.done for todo in todos.values())


def test_without_javascript_a_toggle_far_down_the_list_comes_back_to_its_row(
    new_context, browser_user
):
    TodoFactory.create_batch(30, owner=browser_user)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    far_down = TodoFactory(owner=browser_user, title="Far down", created_at=yesterday)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, browser_user)
    page.goto("/todos/?per_page=50")
    toggle = page.get_by_role("button", name="Done: Far down")
    toggle.focus()

    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/todos/\?per_page=50#todo-{far_down.pk}$"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_be_in_viewport()
    # The keyboard goes on from the row (its toggle first), not from the top of the page.
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
