"""The main pages at desktop and phone width, light and dark: screenshots and layout checks.

The screenshots land in test-artifacts/screenshots/ (git-ignored) for a person to look at.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SIGNED_OUT_PAGES,
    has_horizontal_scroll,
    log_in,
    screenshot,
    signed_in_pages,
)
from tests.factories import TagFactory, TodoFactory

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def overflowing(page, viewport):
    """Visible elements whose box reaches past the viewport's right edge."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(el => el.getClientRects().length)
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .map(el => el.outerHTML.slice(0, 120))""",
        viewport["width"],
    )


def check_layout(page, viewport, name):
    screenshot(page, name)
    assert not has_horizontal_scroll(page), overflowing(page, viewport)
    for link in page.locator("header a, header button").all():
        expect(link).to_be_in_viewport()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", VIEWPORTS)
def test_main_pages_fit_the_screen_without_horizontal_scroll(
    new_context, browser_user, browser_user_todos, size, scheme
):
    viewport = VIEWPORTS[size]
    page = new_context(viewport=viewport, color_scheme=scheme).new_page()
    for name, url in SIGNED_OUT_PAGES.items():
        assert page.goto(url).ok, url
        check_layout(page, viewport, f"{name}-{size}-{scheme}")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check_layout(page, viewport, f"signup-errors-{size}-{scheme}")

    log_in(page, browser_user)
    page.wait_for_url("**/todos/")
    for name, url in signed_in_pages(browser_user_todos[0]).items():
        assert page.goto(url).ok, url
        check_layout(page, viewport, f"{name}-{size}-{scheme}")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_new_account_sees_the_empty_list_hint_and_can_type_at_once(
    new_context, browser_user, size
):
    page = new_context(viewport=VIEWPORTS[size]).new_page()
    log_in(page, browser_user)

    expect(page.locator("#todo-list .empty")).to_have_text("No todos yet — add one above.")
    quick_add = page.get_by_label("What needs to be done?")
    expect(quick_add).to_be_focused()
    expect(quick_add).to_be_in_viewport()
    check_layout(page, VIEWPORTS[size], f"todo-list-empty-{size}-light")


def test_done_todos_look_different_from_open_ones(page, browser_user, browser_user_todos):
    log_in(page, browser_user)
    done = page.locator(".todo-done .todo-title")
    open_ = page.locator(".todo:not(.todo-done) .todo-title").first
    expect(done).to_have_text("Reply to Sam about the offsite")

    expect(done).to_have_css("text-decoration-line", "line-through")
    expect(open_).to_have_css("text-decoration-line", "none")
    assert done.evaluate("e => getComputedStyle(e).color") != open_.evaluate(
        "e => getComputedStyle(e).color"
    )
    expect(page.locator(".todo-done .toggle")).to_have_attribute("aria-pressed", "true")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_always_visible(new_context, browser_user, browser_user_todos, scheme):
    page = new_context(color_scheme=scheme).new_page()
    log_in(page, browser_user)
    expect(page.get_by_label("What needs to be done?")).to_be_focused()
    # From the top of the page: the skip link, the header, the filters, the list.
    page.evaluate("document.activeElement.blur()")

    outlines = []
    for _ in range(30):
        page.keyboard.press("Tab")
        outlines.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return [el.outerHTML.slice(0, 80), style.outlineStyle, style.outlineWidth];
                }"""
            )
        )
    assert len({html for html, _, _ in outlines}) > 20  # focus moved through the page
    assert [html for html, style, width in outlines if style == "none" or width != "2px"] == []


def test_long_names_wrap_on_a_phone(new_context, browser_user):
    # The longest tag name (50 characters): in words a line can break between, and in one.
    TagFactory(owner=browser_user, name="a-really-long-tag-name-for-the-quarterly-planning")
    unbroken = TagFactory(owner=browser_user, name="x" * 50)
    TodoFactory(owner=browser_user, tags=[unbroken])
    browser_user.username = "alexandra.konstantinou@example.com"  # 34 characters, no space
    browser_user.save(update_fields=["username"])
    page = new_context(viewport=PHONE).new_page()
    log_in(page, browser_user)

    page.wait_for_url("**/todos/")
    check_layout(page, PHONE, "todo-list-long-names-phone-light")
    tag, card = (
        page.locator("#todo-list a.tag").bounding_box(),
        page.locator("#todo-app").bounding_box(),
    )
    assert tag["x"] + tag["width"] <= card["x"] + card["width"]  # not cut off by the card
    assert page.goto(reverse("todos:tag_list")).ok
    check_layout(page, PHONE, "tags-long-names-phone-light")
    table = page.locator(".table-wrap")
    assert table.evaluate("(wrap) => wrap.scrollWidth <= wrap.clientWidth")


def test_the_current_links_stand_out_in_forced_colours_too(page, browser_user, browser_user_todos):
    """Windows High Contrast drops background colours, which alone marked the current ones."""
    page.emulate_media(forced_colors="active")
    log_in(page, browser_user)
    page.goto("/todos/?status=active&sort=due")

    def underlined(selector):
        return page.locator(selector).evaluate_all(
            "(links) => links.map((link) => getComputedStyle(link).textDecorationLine)"
        )

    assert underlined('.nav-links a[aria-current="page"]') == ["underline"]
    assert underlined('.filters:not(.sort-links) a[aria-current="page"]') == ["underline"]
    assert underlined('.sort-links a[aria-current="true"]') == ["underline"]
    assert set(underlined(".nav-links a:not([aria-current]), .filters a:not([aria-current])")) == {
        "none"
    }


def test_in_forced_colours_only_overdue_rows_keep_an_edge_and_bulk_actions_a_border(
    page, browser_user, browser_user_todos
):
    page.emulate_media(forced_colors="active")
    log_in(page, browser_user)

    def style(selector, prop):
        return page.locator(selector).evaluate_all(
            f"(found) => found.map((el) => getComputedStyle(el).{prop})"
        )

    canvas = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert set(style("#todo-list > li.todo:not(.todo-overdue)", "borderLeftColor")) == {canvas}
    assert canvas not in style("#todo-list > li.todo-overdue", "borderLeftColor")
    assert set(style(".button-link", "borderTopStyle")) == {"solid"}


@pytest.mark.parametrize("width", [320, 390])
def test_short_tag_names_stay_whole_on_a_phone(new_context, browser_user, width):
    """A name that may break anywhere let the table shrink its column to a letter or two:
    "errands" showed as "er/ra/nd/s"."""
    for name in ("errands", "health", "work"):
        TagFactory(owner=browser_user, name=name)
    page = new_context(viewport={**PHONE, "width": width}).new_page()
    log_in(page, browser_user)
    page.wait_for_url("**/todos/")
    assert page.goto(reverse("todos:tag_list")).ok

    lines = page.locator(".tag-table a.tag").evaluate_all(
        """(tags) => tags.map((tag) => [tag.textContent, Math.round(
            tag.getBoundingClientRect().height / parseFloat(getComputedStyle(tag).lineHeight))])"""
    )
    assert lines == [["errands", 1], ["health", 1], ["work", 1]]
    table = page.locator(".table-wrap")
    assert table.evaluate("(wrap) => wrap.scrollWidth <= wrap.clientWidth")
    assert overflowing(page, {**PHONE, "width": width}) == []


def test_the_empty_message_region_takes_no_room_but_stays_for_screen_readers(
    page, browser_user, browser_user_todos
):
    """A live region announces changes to itself: it must be in the page before the message."""
    log_in(page, browser_user)
    page.wait_for_url("**/todos/")
    messages = page.locator("#messages")
    expect(messages).to_be_empty()
    assert messages.evaluate("(box) => getComputedStyle(box).display") != "none"
    assert messages.bounding_box()["height"] == 0
    expect(messages).to_have_css("margin-bottom", "0px")


# The WCAG contrast ratio of two computed colours ("rgb(r, g, b)"), worked out in the page.
CONTRAST = """([first, second]) => {
    const luminance = (colour) => {
        const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map((value) => {
            const c = value / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_edges_that_show_where_controls_are_stand_out_3_to_1(
    new_context, browser_user, browser_user_todos, scheme
):
    """WCAG 1.4.11: an open todo's round toggle and an empty input are only their edge."""
    page = new_context(color_scheme=scheme).new_page()
    log_in(page, browser_user)

    def colour(selector, prop):
        return page.locator(selector).first.evaluate(f"(el) => getComputedStyle(el).{prop}")

    surface = colour("#todo-app", "backgroundColor")
    pairs = {
        "toggle on the list": (colour('.toggle[aria-pressed="false"]', "borderTopColor"), surface),
        "quick add on the list": (colour("#new-todo-title", "borderTopColor"), surface),
        "search on the page": (
            colour("#filter-q", "borderTopColor"),
            colour("body", "backgroundColor"),
        ),
    }
    ratios = {name: page.evaluate(CONTRAST, list(pair)) for name, pair in pairs.items()}
    assert all(ratio >= 3 for ratio in ratios.values()), ratios


def test_log_out_stays_on_one_line_beside_a_long_username(new_context, browser_user):
    browser_user.username = "alexandra.konstantinopoulou"  # 27 characters, no space
    browser_user.save(update_fields=["username"])
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    log_in(page, browser_user)
    lines = page.get_by_role("button", name="Log out").evaluate(
        """(button) => {
            const text = document.createRange();
            text.selectNodeContents(button);
            return new Set([...text.getClientRects()].map((line) => Math.round(line.top))).size;
        }"""
    )
    assert lines == 1
