"""axe-core on the main pages, in the light and the dark colour scheme, and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SIGNED_OUT_PAGES,
    dump,
    log_in,
    serious_accessibility_violations,
    signed_in_pages,
)


@pytest.mark.parametrize(
    ("scheme", "viewport"),
    [("light", DESKTOP), ("dark", DESKTOP), ("dark", PHONE)],
    ids=["light", "dark", "dark-phone"],
)
def test_main_pages_have_no_serious_accessibility_violations(
    new_context, browser_user, browser_user_todos, scheme, viewport
):
    page = new_context(color_scheme=scheme, viewport=viewport).new_page()
    todo = browser_user_todos[0]
    found = {}

    def check(name):
        found[name] = serious_accessibility_violations(page)

    for name, url in SIGNED_OUT_PAGES.items():
        assert page.goto(url).ok, url
        check(name)
    # The error state has its own colours.
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check("signup with errors")

    log_in(page, browser_user)
    expect(page.locator("#todo-list li.todo")).to_have_count(len(browser_user_todos))
    page.get_by_role("button", name="Done: Water the plants").click()
    expect(page.locator("#messages")).to_contain_text("Marked “Water the plants” as done.")
    check("todo-list after an htmx swap, with a message")
    assert page.goto("/todos/?q=no-such-todo").ok
    check("todo-list, nothing matches")
    assert page.goto("/todos/?tag=no-such-tag").ok
    check("todo-list, filtered by a tag gone since")
    assert page.goto("/todos/?status=completed").ok
    page.get_by_label("What needs to be done?").fill("Not shown here")
    page.get_by_label("What needs to be done?").press("Enter")
    expect(page.locator("#messages")).to_contain_text("which this page of the list does not show")
    check("todo-list, a message with a link")
    assert page.goto("/todos/999999/edit/").status == 404
    check("todo not found")
    for name, url in signed_in_pages(todo).items():
        assert page.goto(url).ok, url
        check(name)

    assert {name: violations for name, violations in found.items() if violations} == {}, dump(found)
