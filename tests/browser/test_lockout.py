"""django-axes in the browser: the fifth wrong password locks the account out."""

from http import HTTPStatus

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

WRONG_LOGIN = "Please enter a correct username and password."


def test_five_wrong_passwords_show_the_lockout_page(page, browser_user):
    for _ in range(4):
        log_in(page, browser_user, password="not-my-password")
        expect(page.get_by_role("alert")).to_contain_text(WRONG_LOGIN)

    with page.expect_response(lambda response: response.request.method == "POST") as fifth:
        log_in(page, browser_user, password="not-my-password")
    assert fifth.value.status == HTTPStatus.TOO_MANY_REQUESTS
    expect(page.get_by_role("heading", name="Too many failed attempts")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("locked here for 15 minutes")
    screenshot(page, "lockout-desktop-light")

    # Locked out means the right password is refused too.
    log_in(page, browser_user)
    expect(page.get_by_role("heading", name="Too many failed attempts")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
