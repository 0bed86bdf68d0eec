"""Two tabs edit the same todo: the second save is refused with the todo as it is now."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot


def test_the_second_tab_sees_the_conflict_and_the_first_save_is_kept(
    new_context, browser_user, browser_user_todos
):
    todo = browser_user_todos[2]
    context = new_context()
    first, second = context.new_page(), context.new_page()
    log_in(first, browser_user)
    expect(first).to_have_url("/todos/")
    for tab in (first, second):
        tab.goto(f"/todos/{todo.pk}/edit/")
        expect(tab.get_by_label("Title")).to_have_value("Water the plants")

    first.get_by_label("Title").fill("Water the plants and the lawn")
    first.get_by_role("button", name="Save").click()
    expect(first.locator("#messages")).to_have_text("Saved “Water the plants and the lawn”.")

    second.get_by_label("Title").fill("Water the cactus")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("alert")).to_contain_text(
        "Someone changed this todo since you opened it"
    )
    current = second.get_by_role("complementary", name="Saved now (version 2)")
    expect(current).to_contain_text("Water the plants and the lawn")
    # The refused input stays in the form, ready to be saved again on purpose.
    expect(second.get_by_label("Title")).to_have_value("Water the cactus")
    screenshot(second, "todo-form-conflict-desktop-light")

    todo.refresh_from_db()
    assert (todo.title, todo.version) == ("Water the plants and the lawn", 2)
