"""With JavaScript, the list's actions swap the list in place: no page load, counters follow."""

import re

from playwright.sync_api import expect

from config.htmx import RELOADED_BECAUSE
from tests.browser.conftest import log_in, main_frame_navigations
from tests.factories import TodoFactory
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
    expect(page).to_have_title("Error: My todos · Todos")
    expect(page.locator("#todo-count")).to_have_text("4 items left · 1 completed")
    assert navigations == []
    assert page.evaluate("window.samePage") is True
    assert Todo.objects.for_user(browser_user).count() == len(browser_user_todos)

    title.fill("Now with a title")
    title.press("Enter")
    expect(page.locator("#todo-list")).to_contain_text("Now with a title")
    expect(page).to_have_title("My todos · Todos")


# The title of the todo whose Delete button is under the point (x, y), or null.
DELETE_BUTTON_TITLE_AT = """([x, y]) => {
    for (const button of document.querySelectorAll("#todo-list .button-destroy")) {
        const box = button.getBoundingClientRect();
        if (box.left <= x && x <= box.right && box.top <= y && y <= box.bottom) {
            return button.closest("li.todo").querySelector(".todo-title").textContent;
        }
    }
    return null;
}"""


def test_the_second_click_of_a_double_click_does_not_reach_the_new_list(
    page, browser_user, browser_user_todos
):
    """After a delete the rows move up: the second click of a double click, at the same point,
    would land on the next todo's Delete button. The new list ignores the pointer for a moment."""
    log_in(page, browser_user)
    navigations = main_frame_navigations(page)
    section = page.locator("#todo-app")
    # A message first, so that the next one takes its place rather than pushing the list down.
    page.get_by_label("What needs to be done?").fill("Feed the cat")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#messages")).to_have_text("Added “Feed the cat”.")
    expect(section).to_have_css("pointer-events", "auto")
    box = page.locator("#todo-list .button-destroy").first.bounding_box()
    point = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    first = page.evaluate(DELETE_BUTTON_TITLE_AT, point)
    page.evaluate(
        """() => {
            window.requests = 0;
            document.body.addEventListener("htmx:beforeRequest", () => window.requests++);
            window.swapped = new Promise((resolve) => document.body.addEventListener(
                "htmx:afterSwap", () => resolve(true), { once: true }));
        }"""
    )

    page.mouse.click(*point)
    assert page.evaluate("window.swapped") is True
    # A few milliseconds after the swap, as a double click's second click comes.
    under_the_pointer = page.evaluate(DELETE_BUTTON_TITLE_AT, point)
    page.mouse.click(*point)
    # htmx sends its request while handling the click, which mouse.click() waits for.
    assert page.evaluate("window.requests") == 1
    expect(section).to_have_css("pointer-events", "auto")

    assert under_the_pointer not in (None, first)
    expect(page.locator("#messages")).to_have_text(f"Deleted “{first}”.")
    titles = set(Todo.objects.for_user(browser_user).values_list("title", flat=True))
    assert first not in titles
    assert under_the_pointer in titles
    assert navigations == []

    # A moment later the same point deletes that todo: the second click was aimed right.
    assert page.evaluate(DELETE_BUTTON_TITLE_AT, point) == under_the_pointer
    page.mouse.click(*point)
    expect(page.locator("#messages")).to_have_text(f"Deleted “{under_the_pointer}”.")
    assert page.evaluate("window.requests") == 2
    assert not Todo.objects.filter(owner=browser_user, title=under_the_pointer).exists()
    assert navigations == []


def test_enter_pressed_twice_on_delete_deletes_one_todo(page, browser_user, browser_user_todos):
    """No focus lands on the next row's Delete button after a delete, where a second Enter (or
    a held one) would delete it too."""
    log_in(page, browser_user)
    page.evaluate(
        """() => { window.swapped = new Promise((resolve) => document.body.addEventListener(
            "htmx:afterSwap", () => resolve(true), { once: true })); }"""
    )
    page.locator("#todo-list .button-destroy").first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.swapped") is True
    expect(page.locator("#messages")).to_contain_text("Deleted")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    # Any request would have been sent while the key was handled: one more request proves
    # the list still answers, and that nothing came before it.
    page.get_by_role("button", name="Done: Water the plants").click()
    expect(page.locator("#messages")).to_have_text("Marked “Water the plants” as done.")
    assert Todo.objects.for_user(browser_user).count() == len(browser_user_todos) - 1


def held_route(page, routes):
    """The first request `page.route()` put in `routes`: its handler runs while Playwright waits,
    which the page showing the request under way does not promise has happened yet."""
    for _ in range(100):
        if routes:
            return routes[0]
        page.wait_for_timeout(20)
    state = page.evaluate("document.getElementById('todo-app').className")
    raise AssertionError(f"The request never reached the route ({page.url}, {state!r})")


def test_the_list_dims_while_an_action_is_under_way(page, browser_user, browser_user_todos):
    log_in(page, browser_user)
    section = page.locator("#todo-app")
    expect(section).to_have_css("opacity", "1")
    # The route first, once the list is in: one set while the login navigates can miss.
    page.wait_for_url("**/todos/")
    release = []
    page.route("**/toggle/**", lambda route: release.append(route))

    page.get_by_role("button", name="Done: Water the plants").click()
    expect(section).to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(section).to_have_css("opacity", "0.7")

    held_route(page, release).continue_()
    expect(page.locator("#messages")).to_have_text("Marked “Water the plants” as done.")
    expect(page.locator("#todo-app")).to_have_css("opacity", "1")


def test_the_keyboard_works_on_the_swapped_list_at_once(page, browser_user, browser_user_todos):
    """Only the pointer waits: a title typed and entered right after a quick add is added in
    place too (htmx wires the new forms up in the same task as the swap)."""
    log_in(page, browser_user)
    navigations = main_frame_navigations(page)
    title = page.get_by_label("What needs to be done?")
    page.evaluate(
        """() => { window.swapped = new Promise((resolve) => document.body.addEventListener(
            "htmx:afterSwap", () => resolve(true), { once: true })); }"""
    )
    title.fill("Feed the cat")
    title.press("Enter")
    assert page.evaluate("window.swapped") is True
    title.fill("Walk the dog")
    title.press("Enter")
    expect(page.locator("#messages")).to_have_text("Added “Walk the dog”.")
    expect(page.locator("#todo-list .todo-title").first).to_have_text("Walk the dog")
    assert navigations == []


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
    expect(page.locator("#messages")).to_have_text(RELOADED_BECAUSE[404])


def press_and_wait_for_the_swap(page, key):
    page.evaluate(
        """() => { window.settled = new Promise((resolve) => document.body.addEventListener(
            "htmx:afterSettle", () => resolve(true), { once: true })); }"""
    )
    page.keyboard.press(key)
    assert page.evaluate("window.settled") is True


def listed_titles(page):
    return page.locator("#todo-list .todo-title").all_text_contents()


def test_after_a_delete_the_keyboard_is_on_the_row_now_in_its_place(
    page, browser_user, browser_user_todos
):
    """Not on the page's top (where Tab would start over from the header), and on a row rather
    than a button: a second Enter does nothing (test_enter_pressed_twice_on_delete...)."""
    log_in(page, browser_user)
    titles = listed_titles(page)
    page.get_by_role("button", name=f"Delete {titles[1]}").focus()

    press_and_wait_for_the_swap(page, "Enter")

    expect(page.locator("#messages")).to_have_text(f"Deleted “{titles[1]}”.")
    expect(page.locator("#todo-list > li.todo").nth(1)).to_be_focused()
    expect(page.locator("#todo-list > li.todo").nth(1)).to_contain_text(titles[2])
    # Its whole focus ring shows: the list's rounded box (overflow: hidden) cuts what is outside.
    ring_inside_the_list = page.evaluate(
        """() => {
            const row = document.activeElement, style = getComputedStyle(row);
            const reach = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
            const ring = row.getBoundingClientRect(), list = row.closest("#todo-app");
            const box = list.getBoundingClientRect();
            return ring.left - reach >= box.left && ring.right + reach <= box.right;
        }"""
    )
    assert ring_inside_the_list
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Done: {titles[2]}")).to_be_focused()


def test_after_deleting_the_last_row_the_keyboard_is_on_the_new_last_row(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    titles = listed_titles(page)
    page.get_by_role("button", name=f"Delete {titles[-1]}").focus()

    press_and_wait_for_the_swap(page, "Enter")

    expect(page.locator("#todo-list > li.todo").last).to_be_focused()
    expect(page.locator("#todo-list > li.todo").last).to_contain_text(titles[-2])


def test_a_todo_that_leaves_the_filtered_list_hands_the_keyboard_to_the_next(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    page.goto("/todos/?status=active")
    titles = listed_titles(page)
    page.get_by_role("button", name=f"Done: {titles[0]}").focus()

    press_and_wait_for_the_swap(page, "Space")

    expect(page.locator("#todo-list")).not_to_contain_text(titles[0])
    expect(page.locator("#todo-list > li.todo").first).to_be_focused()
    expect(page.locator("#todo-list > li.todo").first).to_contain_text(titles[1])


def test_after_clear_completed_the_keyboard_is_on_the_counters(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    page.get_by_role("button", name="Clear completed (1)").focus()

    press_and_wait_for_the_swap(page, "Enter")

    expect(page.locator("#todo-count")).to_be_focused()
    expect(page.locator("#todo-count")).to_have_text("4 items left · 0 completed")


def test_a_toggle_that_stays_listed_keeps_the_keyboard_on_its_button(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    toggle = page.get_by_role("button", name="Done: Water the plants")
    toggle.focus()

    press_and_wait_for_the_swap(page, "Space")

    expect(page.locator("#messages")).to_have_text("Marked “Water the plants” as done.")
    expect(toggle).to_be_focused()


def test_an_action_sent_while_another_is_under_way_is_not_sent(
    page, browser_user, browser_user_todos
):
    """The first answer replaces the list: the second's would land nowhere, its todo saved but
    never shown (and added again by a user who does not see it)."""
    log_in(page, browser_user)
    # The route first, once the list is in: one set while the login navigates can miss.
    page.wait_for_url("**/todos/")
    held = []
    page.route("**/toggle/**", lambda route: held.append(route))
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )

    page.get_by_role("button", name="Done: Water the plants").click()
    expect(page.locator("#todo-app")).to_have_class(re.compile(r"\bhtmx-request\b"))
    page.get_by_label("What needs to be done?").fill("Pay the rent")
    page.get_by_label("What needs to be done?").press("Enter")
    page.keyboard.press("Tab")  # to Add
    page.keyboard.press("Enter")

    held_route(page, held).continue_()
    expect(page.locator("#messages")).to_have_text("Marked “Water the plants” as done.")
    assert len(posts) == 1
    # What was typed meanwhile is still there, to send again.
    expect(page.get_by_label("What needs to be done?")).to_have_value("Pay the rent")
    assert not Todo.objects.filter(owner=browser_user, title="Pay the rent").exists()
    # What the list shows is what is saved.
    shown = dict(
        zip(
            page.locator("#todo-list .todo-title").all_text_contents(),
            page.locator("#todo-list > li.todo").evaluate_all(
                "rows => rows.map((row) => row.classList.contains('todo-done'))"
            ),
            strict=True,
        )
    )
    assert shown == dict(Todo.objects.for_user(browser_user).values_list("title", "done"))


def test_a_title_being_typed_survives_another_actions_answer(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    # The route first, once the list is in: one set while the login navigates can miss.
    page.wait_for_url("**/todos/")
    held = []
    page.route("**/toggle/**", lambda route: held.append(route))
    page.get_by_role("button", name="Done: Water the plants").click()
    title = page.get_by_label("What needs to be done?")
    title.fill("Pay the re")

    held_route(page, held).continue_()

    expect(page.locator("#messages")).to_have_text("Marked “Water the plants” as done.")
    expect(title).to_have_value("Pay the re")
    expect(title).to_be_focused()
    page.keyboard.type("nt")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_have_text("Added “Pay the rent”.")
    expect(title).to_have_value("")


def test_the_add_button_keeps_the_keyboard_after_a_quick_add(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    page.get_by_label("What needs to be done?").fill("Feed the cat")
    page.get_by_role("button", name="Add", exact=True).focus()

    press_and_wait_for_the_swap(page, "Enter")

    expect(page.locator("#messages")).to_have_text("Added “Feed the cat”.")
    expect(page.get_by_role("button", name="Add", exact=True)).to_be_focused()


def test_an_action_far_down_the_list_leaves_the_page_where_it_was(page, browser_user):
    # htmx puts the new list before the old one: a browser anchoring the scroll on a row of the
    # old one moved the page a list's height down, the row acted on far off screen.
    TodoFactory.create_batch(25, owner=browser_user)
    log_in(page, browser_user)
    row = page.locator("#todo-list > li").nth(12)
    row.evaluate("(row) => row.scrollIntoView({ block: 'center' })")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0

    row.locator("button.toggle").click()
    expect(page.locator("#messages")).to_contain_text("as done")

    assert page.evaluate("window.scrollY") == scrolled
    toggled = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert 0 < toggled < page.viewport_size["height"]


def test_a_second_key_press_right_after_mark_all_does_not_undo_it(
    page, browser_user, browser_user_todos
):
    """htmx gives the focus back to the button, whose label has turned to "Mark all as not
    done": for as long as the new list ignores the pointer, it ignores the keyboard too."""
    log_in(page, browser_user)
    counters = page.locator("#todo-count")
    expect(counters).to_have_text("4 items left · 1 completed")
    page.evaluate(
        """() => { window.swapped = new Promise((resolve) => document.body.addEventListener(
            "htmx:afterSwap", () => resolve(true), { once: true })); }"""
    )
    page.locator("#toggle-all").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.swapped") is True
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)
    expect(counters).to_have_text("0 items left · 5 completed")
    assert not Todo.objects.for_user(browser_user).filter(done=False).exists()

    # Past that moment the key acts again, on what the button now says.
    expect(page.locator("#toggle-all")).to_be_focused()
    page.keyboard.press("Enter")
    expect(counters).to_have_text("5 items left · 0 completed")


def test_emptying_the_last_page_in_place_moves_the_address_bar_to_the_page_shown(
    page, browser_user
):
    TodoFactory.create_batch(10, owner=browser_user, title="Earlier")
    TodoFactory(owner=browser_user, title="Alone on page 2")
    log_in(page, browser_user)
    page.goto("/todos/?sort=created&per_page=10&page=2")
    page.evaluate("window.samePage = true")

    page.get_by_role("button", name="Delete Alone on page 2").click()

    expect(page.locator(".pagination")).to_contain_text("Page 1 of 1")
    expect(page).to_have_url(re.compile(r"/todos/\?sort=created&page=1&per_page=10$"))
    assert page.evaluate("window.samePage") is True  # the address changed, not the document
    # htmx keeps no copy of the private page in the tab's storage (it would outlive a logout).
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    # Back from an in-page link to the replaced address: the whole page, not htmx's fragment.
    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"page=1&per_page=10$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator("#todo-list > li.todo")).to_have_count(10)


def test_a_todo_added_where_the_list_does_not_show_it_is_one_click_away(page, browser_user):
    TodoFactory(owner=browser_user, title="Done already", completed=True)
    log_in(page, browser_user)
    page.goto("/todos/?status=completed")
    page.get_by_label("What needs to be done?").fill("Hidden by the filter")
    page.get_by_label("What needs to be done?").press("Enter")

    expect(page.locator("#messages")).to_have_text(
        "Added “Hidden by the filter”, which this page of the list does not show: open it."
    )
    expect(page.locator("#todo-list")).not_to_contain_text("Hidden by the filter")
    page.locator("#messages").get_by_role("link", name="open it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hidden by the filter")


def test_an_action_from_a_page_whose_token_a_new_login_made_stale_says_so_after_the_reload(
    page, browser_user, browser_user_todos
):
    log_in(page, browser_user)
    other_tab = page.context.new_page()
    other_tab.goto("/todos/")
    other_tab.get_by_role("button", name="Log out").click()
    log_in(other_tab, browser_user)  # a new login: a new CSRF token
    other_tab.close()

    with page.expect_navigation():
        page.get_by_role("button", name="Done: Water the plants").click()

    expect(page.locator("#messages")).to_have_text(RELOADED_BECAUSE[403])
    assert not Todo.objects.get(title="Water the plants").done
