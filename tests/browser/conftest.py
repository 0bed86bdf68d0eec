"""Playwright driving Debian's Chromium against pytest-django's live server."""

import json
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD, TagFactory, TodoFactory, UserFactory
from todos.models import Priority

# How Chromium logs a 4xx answer to the console.
CLIENT_ERROR_LOGGED = re.compile(
    r"Failed to load resource: the server responded with a status of 4\d\d\b"
)

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves (factories, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Found as the Makefile finds it, so that `make test` never selects tests that then skip.
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


# The pages the look and accessibility checks both walk, by name (the look's screenshot files are
# named after them). Signed out; the last is the sign-up form, whose error state comes next.
SIGNED_OUT_PAGES = {"login": reverse("users:login"), "signup": reverse("users:signup")}


def signed_in_pages(todo):
    """The pages a signed-in user works in, by name, `todo`'s own among them."""
    return {
        "todo-list": reverse("todos:list"),
        "todo-detail": reverse("todos:detail", args=[todo.pk]),
        "todo-form": reverse("todos:update", args=[todo.pk]),
        "todo-new": reverse("todos:create"),
        "profile": reverse("users:profile"),
        "tags": reverse("todos:tag_list"),
        "password-change": reverse("users:password_change"),
        "account-deletion": reverse("users:delete"),
    }


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not on the PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Makes browser contexts on the live server; the test fails on any script or CSP error.

    Chromium reports CSP violations and uncaught script errors on the console, so a page that
    needs an inline script or style (which the strict CSP refuses) cannot pass unnoticed.
    """
    contexts = []
    console_errors = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.on("console", lambda message: record(message.type, message.text))
        context.on("weberror", lambda error: record("error", str(error.error)))
        contexts.append(context)
        return context

    def record(kind, text):
        # A 4xx answer (the lockout's 429) is logged too; the test checks those itself. A 5xx
        # answer, to a page or to anything it loads, fails the test.
        if kind == "error" and not CLIENT_ERROR_LOGGED.match(text):
            console_errors.append(text)

    yield make
    for context in contexts:
        context.close()
    assert console_errors == [], dump(console_errors)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def browser_user(transactional_db):
    """A user the live server can log in (its hash uses a hasher every setting knows)."""
    # A fixed name, so that the screenshots come out the same every run.
    user = UserFactory(username="robin")
    user.password = make_password(DEFAULT_PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def browser_user_todos(browser_user):
    """A small, fixed list for the look and accessibility checks: done, overdue, tagged."""
    today = timezone.localdate()
    work = TagFactory(owner=browser_user, name="work")
    home = TagFactory(owner=browser_user, name="home")
    rows = [
        ("Book the dentist", today - timedelta(days=2), Priority.HIGH, [home], False),
        ("Write the quarterly report", today + timedelta(days=5), Priority.HIGH, [work], False),
        ("Water the plants", None, Priority.NORMAL, [home], False),
        ("Renew the passport", today + timedelta(days=40), Priority.LOW, [], False),
        ("Reply to Sam about the offsite", None, Priority.NORMAL, [work, home], True),
    ]
    return [
        TodoFactory(
            owner=browser_user,
            title=title,
            description="",
            due_date=due,
            priority=priority,
            tags=tags,
            done=done,
        )
        for title, due, priority, tags, done in rows
    ]


def log_in(page, user, password=DEFAULT_PASSWORD):
    """Logs in, and waits for the page it leads to to load: until then htmx (a deferred script)
    may not have wired the forms up, and a click on one would send it without htmx."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Log in").click()


def serious_accessibility_violations(page):
    """axe-core's violations of impact serious or critical on the current page."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing: run `make browser-tools` ({AXE_SCRIPT})")
    # Evaluated through the DevTools protocol, so the app's CSP stays on while axe runs.
    page.evaluate(AXE_SCRIPT.read_text())
    results = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def has_horizontal_scroll(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def dump(value):
    return json.dumps(value, indent=2)


def main_frame_navigations(page):
    """The URLs the page navigates to from now on (an htmx swap is not one)."""
    urls = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and urls.append(frame.url))
    return urls
