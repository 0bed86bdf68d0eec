from tests.browser.conftest import log_in


def test_a_user_logs_in_and_lands_on_their_todos(page, browser_user):
    log_in(page, browser_user)
    page.wait_for_url("**/todos/")
    assert browser_user.username in page.inner_text("header")
