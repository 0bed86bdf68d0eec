from tests.browser.conftest import log_in, serious_accessibility_violations


def test_login_page_has_no_serious_accessibility_violations(page):
    page.goto("/accounts/login/")
    assert serious_accessibility_violations(page) == []


def test_a_user_logs_in_and_lands_on_their_todos(page, browser_user):
    log_in(page, browser_user)
    page.wait_for_url("**/todos/")
    assert browser_user.username in page.inner_text("header")
