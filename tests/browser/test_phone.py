"""At phone width (390x844) the header, the list and the forms stay usable by touch."""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, has_horizontal_scroll, log_in
from todos.models import Todo


def test_a_phone_user_adds_completes_and_edits_a_todo(new_context, browser_user):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(page, browser_user)

    quick_add = page.get_by_label("What needs to be done?")
    quick_add.fill("Pick up the parcel")
    page.get_by_role("button", name="Add", exact=True).tap()
    expect(page.locator("#todo-list .todo-title")).to_have_text(["Pick up the parcel"])

    page.get_by_role("button", name="Done: Pick up the parcel").tap()
    expect(page.locator("#todo-count")).to_have_text("0 items left · 1 completed")

    page.get_by_role("link", name="Edit Pick up the parcel").tap()
    page.get_by_label("Title").fill("Pick up the parcel at the post office")
    page.get_by_label("Done").uncheck()
    save = page.get_by_role("button", name="Save")
    save.scroll_into_view_if_needed()
    save.tap()
    expect(page.locator("#todo-count")).to_have_text("1 item left · 0 completed")
    assert not has_horizontal_scroll(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").tap()
    expect(page.get_by_role("heading", name="Your profile", exact=True)).to_be_in_viewport()
    page.get_by_role("button", name="Log out").tap()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    todo = Todo.objects.get(owner=browser_user)
    assert (todo.title, todo.done) == ("Pick up the parcel at the post office", False)
