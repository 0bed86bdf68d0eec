"""With JavaScript, the list's actions swap the list in place: no page load, counters follow."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in, main_frame_navigations
from todos.models import Todo


def test_toggling_and_deleting_update_the_list_without_a_page_load(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    expect(page.locator("#todo-count")).to_have_text("4 items left · 1 completed")
    page.evaluate("window.samePage = true")
    navigations = main_frame_navigations(page)
    plants = page.locator("#todo-list li.todo", has_text="Water the plants")

    page.get_by_role("button", name="Done: Water the plants").click()
    expect(plants).to_have_class("todo todo-done")
    expect(page.locator("#todo-count")).to_have_text("3 items left · 2 completed")
    expect(page.locator("#messages")).to_have_text("Marked “Water the plants” as done.")

    page.get_by_role("button", name="Done: Water the plants").click()
    expect(plants).to_have_class("todo")
    expect(page.locator("#todo-count")).to_have_text("4 items left · 1 completed")

    page.get_by_role("button", name="Delete Renew the passport").click()
    expect(page.locator("#todo-list")).not_to_contain_text("Renew the passport")
    expect(page.locator("#todo-count")).to_have_text("3 items left · 1 completed")
    expect(page.locator("#messages")).to_have_text("Deleted “Renew the passport”.")

    page.get_by_role("button", name="Clear completed (1)").click()
    expect(page.locator("#todo-count")).to_have_text("3 items left · 0 completed")
    expect(page.get_by_role("button", name="Clear completed")).to_have_count(0)

    assert navigations == []
    assert page.evaluate("window.samePage") is True
    assert sorted(Todo.objects.for_user(browser_user).values_list("title", "done")) == [
        ("Book the dentist", False),
        ("Water the plants", False),
        ("Write the quarterly report", False),
    ]


def test_a_quick_add_error_shows_in_place_and_keeps_the_list(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    page.evaluate("window.samePage = true")
    navigations = main_frame_navigations(page)
    title = page.get_by_label("What needs to be done?")

    # Only spaces: the browser lets it through (required is met); the form strips and refuses it.
    title.fill("   ")
    title.press("Enter")

    expect(page.locator("#new-todo-title-error")).to_have_text("This field is required.")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#todo-count")).to_have_text("4 items left · 1 completed")
    assert navigations == []
    assert page.evaluate("window.samePage") is True
    assert Todo.objects.for_user(browser_user).count() == len(browser_user_todos)


def test_the_swapped_list_is_live_as_soon_as_it_is_shown(page, browser_user, browser_user_todos):
    """htmx wires the new forms up in the same task as the swap, so no click can reach them
    first and be posted as a plain form (a full page load)."""
    log_in(page, browser_user)
    page.evaluate(
        """() => {
            window.liveAfterSwap = [];
            document.body.addEventListener("htmx:afterSwap", () => queueMicrotask(() =>
                window.liveAfterSwap.push(document.querySelector(".htmx-added") === null)));
        }"""
    )
    title = page.get_by_label("What needs to be done?")
    title.fill("Feed the cat")
    title.press("Enter")
    expect(page.locator("#todo-list")).to_contain_text("Feed the cat")
    # The list's swap (the messages' content follows out of band): live by the end of it.
    live_after_swap = page.evaluate("window.liveAfterSwap")
    assert live_after_swap
    assert all(live_after_swap)


def test_an_action_on_a_todo_deleted_elsewhere_reloads_the_page_to_show_the_list_as_it_is(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    page.evaluate("window.samePage = true")
    navigations = main_frame_navigations(page)
    Todo.objects.filter(title="Water the plants").delete()  # in another tab

    # The 404 comes with HX-Refresh: the page reloads instead of doing nothing at all.
    with page.expect_navigation():
        page.get_by_role("button", name="Done: Water the plants").click()

    assert page.evaluate("window.samePage") is None  # a new document
    assert len(navigations) == 1
    expect(page.locator("#todo-list")).not_to_contain_text("Water the plants")
    expect(page.locator("#todo-count")).to_have_text("3 items left · 1 completed")
