"""The floor: the benchmarked pages as a bare WSGI app, one SQL query each, no framework.

    gunicorn -c config/gunicorn.py bench.floor:application     (DATABASE_URL in the environment)

It answers the todo list (`/todos/` with `status`, `q`, `tag`, `sort` = `-created` or `due`,
`page`; 25 a page) and a todo's page (`/todos/<id>/`) with the same rows in the same order as
the app, the same counters, the user's tags and the tags of every todo, in HTML built by
joining strings. It does the same checks as the app where they touch the database: the session
must exist and be unexpired, in the same query as the page, and a todo is found only among its
owner's. It is what the database and the network cost at least, which bench/bench.py sets the
app against.

The first request of a session reads the user id out of the session row (Django's signed JSON,
decoded without Django) and keeps it: a session key names one user for the session's life.
"""

import base64
import html
import json
import os
import re
import zlib
from urllib.parse import parse_qs, quote

import psycopg

PAGE_SIZE = 25
SESSION_COOKIE = re.compile(r"(?:^|;\s*)sessionid=([a-z0-9]+)")
DETAIL_PATH = re.compile(r"^/todos/(\d+)/$")
PRIORITIES = {1: "Low", 2: "Normal", 3: "High"}
# The app's sorts, each ending with the primary key (todos/listing.py).
ORDERS = {
    "-created": "t.created_at DESC, t.id DESC",
    "due": "t.due_date ASC NULLS LAST, t.id ASC",
}
STATUSES = {"all": "", "active": "AND NOT t.done", "completed": "AND t.done"}

# The session check, run with every page: no row, no page.
ME = """
    me AS (
        SELECT %(user)s::bigint AS id
        WHERE EXISTS (
            SELECT 1 FROM django_session
            WHERE session_key = %(session)s AND expire_date > now()
        )
    )"""
TAG_NAMES = """
    (SELECT array_agg(g.name ORDER BY lower(g.name), g.id)
     FROM todos_todo_tags l JOIN todos_tag g ON g.id = l.tag_id WHERE l.todo_id = t.id)"""

LIST_SQL = """
WITH {me},
counts AS MATERIALIZED (
    SELECT count(*) FILTER (WHERE NOT t.done) AS active, count(*) FILTER (WHERE t.done) AS done
    FROM todos_todo t WHERE t.owner_id = (SELECT id FROM me) {matching}
),
user_tags AS (
    SELECT array_agg(name ORDER BY lower(name), id) AS names
    FROM todos_tag WHERE owner_id = (SELECT id FROM me)
),
page AS MATERIALIZED (
    SELECT t.id, t.title, t.done, t.due_date, t.priority, t.created_at
    FROM todos_todo t
    WHERE t.owner_id = (SELECT id FROM me) {matching} {status}
    ORDER BY {order}
    LIMIT {page_size}
    -- A page past the end is the last page, as in the app.
    OFFSET {page_size} * (LEAST(%(page)s, GREATEST(1, ceil(
        (SELECT active + done {status_total} FROM counts) / {page_size}.0)::int)) - 1)
)
SELECT c.active, c.done, u.names, t.id, t.title, t.done, t.due_date, t.priority, {tag_names}
FROM me CROSS JOIN counts c CROSS JOIN user_tags u LEFT JOIN page t ON true
ORDER BY {order}
"""
SEARCH_SQL = "AND (t.title ILIKE %(like)s OR t.description ILIKE %(like)s)"
TAG_SQL = """AND t.id IN (
    SELECT l.todo_id FROM todos_todo_tags l JOIN todos_tag g ON g.id = l.tag_id
    WHERE g.owner_id = (SELECT id FROM me) AND lower(g.name) = lower(%(tag)s))"""
STATUS_TOTALS = {"all": "", "active": "- done", "completed": "- active"}

DETAIL_SQL = """
WITH {me}
SELECT t.id, t.title, t.description, t.done, t.completed_at, t.due_date, t.priority,
       t.created_at, t.updated_at, {tag_names} AS tags
FROM todos_todo t JOIN me ON t.owner_id = me.id
WHERE t.id = %(id)s
"""

HEAD = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · Todos</title>'
    '<link rel="stylesheet" href="/static/css/app.css"></head><body><header><nav>'
    '<a href="/">Todos</a> <a href="/todos/">My todos</a></nav></header><main>'
)
FOOT = "</main></body></html>"

_connection = None
_users = {}


def connection():
    """This worker's connection, opened on first use and kept (as the app's persistent one)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection


def session_user(session_key):
    """The user id of a live session, read once per session key; None without one."""
    if session_key not in _users:
        row = (
            connection()
            .execute(
                "SELECT session_data FROM django_session "
                "WHERE session_key = %s AND expire_date > now()",
                [session_key],
            )
            .fetchone()
        )
        if row is None:
            return None
        _users[session_key] = int(decode_session(row[0])["_auth_user_id"])
    return _users[session_key]


def decode_session(data):
    """The session dict from Django's signed format: base64(JSON, maybe zlib):time:signature."""
    payload = data.split(":", 1)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def application(environ, start_response):
    match = SESSION_COOKIE.search(environ.get("HTTP_COOKIE", ""))
    user = session_user(match.group(1)) if match else None
    if user is None:
        return respond(start_response, "302 Found", "", [("Location", "/accounts/login/")])
    params = {"user": user, "session": match.group(1)}
    path = environ["PATH_INFO"]
    if path == "/todos/":
        return list_page(start_response, params, parse_qs(environ.get("QUERY_STRING", "")))
    if detail := DETAIL_PATH.match(path):
        return detail_page(start_response, {**params, "id": int(detail.group(1))})
    return respond(start_response, "404 Not Found", "<h1>Not found</h1>")


def respond(start_response, status, body, headers=()):
    data = body.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(data))),
            *headers,
        ],
    )
    return [data]


def list_page(start_response, params, query):
    def one(name, default=""):
        return query.get(name, [default])[0]

    status, sort, q, tag = one("status", "all"), one("sort", "-created"), one("q"), one("tag")
    if status not in STATUSES or sort not in ORDERS:
        return respond(start_response, "400 Bad Request", "<h1>Not a floor page</h1>")
    page = int(one("page", "1")) if one("page", "1").isdigit() else 1
    params.update(page=max(page, 1), like=f"%{q}%", tag=tag)
    matching = (SEARCH_SQL if q else "") + (TAG_SQL if tag else "")
    sql = LIST_SQL.format(
        me=ME,
        matching=matching,
        status=STATUSES[status],
        status_total=STATUS_TOTALS[status],
        order=ORDERS[sort],
        tag_names=TAG_NAMES,
        page_size=PAGE_SIZE,
    )
    rows = connection().execute(sql, params).fetchall()
    if not rows:
        return respond(start_response, "302 Found", "", [("Location", "/accounts/login/")])
    active, done, user_tags = rows[0][0], rows[0][1], rows[0][2] or []
    total = {"all": active + done, "active": active, "completed": done}[status]
    pages = max(1, -(-total // PAGE_SIZE))
    parts = [HEAD.format(title="My todos"), "<h1>My todos</h1>", filter_form(q, tag, user_tags)]
    parts.append('<ul class="todo-list">')
    parts.extend(todo_item(row[3:]) for row in rows if row[3] is not None)
    parts.append("</ul>")
    parts.append(
        f'<p class="todo-count"><strong>{active}</strong> items left · '
        f"<strong>{done}</strong> completed</p>"
        f'<nav class="pagination"><span>Page {min(page, pages)} of {pages} · {total} todos</span>'
        f'<a href="?page={min(page, pages) + 1}" rel="next">Next</a></nav>'
    )
    parts.append(FOOT)
    return respond(start_response, "200 OK", "".join(parts))


def filter_form(q, tag, user_tags):
    options = "".join(
        f'<option value="{html.escape(name)}"'
        f"{' selected' if name.lower() == tag.lower() else ''}>{html.escape(name)}</option>"
        for name in user_tags
    )
    return (
        '<form method="get" action="/todos/"><input type="search" name="q" '
        f'value="{html.escape(q)}"><select name="tag"><option value="">Any tag</option>'
        f'{options}</select><button type="submit">Apply</button></form>'
    )


def todo_item(row):
    todo_id, title, done, due_date, priority, tags = row
    tag_links = "".join(
        f'<a class="tag" href="?tag={quote(name)}">{html.escape(name)}</a>' for name in tags or ()
    )
    due = f"<span>due <time>{due_date.isoformat()}</time></span>" if due_date else ""
    return (
        f'<li class="todo{" todo-done" if done else ""}" id="todo-{todo_id}">'
        f'<form method="post" action="/todos/{todo_id}/toggle/"><button type="submit">'
        f"{'☑' if done else '☐'}</button></form>"
        f'<a class="todo-title" href="/todos/{todo_id}/" dir="auto">{html.escape(title)}</a>'
        f'<div class="todo-meta">{due}<span>{PRIORITIES[priority]}</span>{tag_links}</div></li>'
    )


def detail_page(start_response, params):
    row = connection().execute(DETAIL_SQL.format(me=ME, tag_names=TAG_NAMES), params).fetchone()
    if row is None:
        return respond(start_response, "404 Not Found", "<h1>Not found</h1>")
    _, title, description, done, completed_at, due_date, priority, created, updated, tags = row
    tag_links = "".join(
        f'<a class="tag" href="/todos/?tag={quote(name)}">{html.escape(name)}</a> '
        for name in tags or ()
    )
    body = (
        f'{HEAD.format(title=html.escape(title))}<article class="card narrow-wide todo-detail">'
        f'<h1 dir="auto">{html.escape(title)}</h1>'
        f"<p>{html.escape(description).replace(chr(10), '<br>')}</p><dl>"
        f"<dt>Status</dt><dd>{f'Done on {completed_at:%d %b %Y, %H:%M}' if done else 'Not done'}"
        f"</dd><dt>Due</dt><dd>{due_date.isoformat() if due_date else 'No due date'}</dd>"
        f"<dt>Priority</dt><dd>{PRIORITIES[priority]}</dd><dt>Tags</dt><dd>{tag_links or 'None'}"
        f"</dd><dt>Created</dt><dd>{created:%d %b %Y, %H:%M}</dd>"
        f"<dt>Last changed</dt><dd>{updated:%d %b %Y, %H:%M}</dd></dl></article>{FOOT}"
    )
    return respond(start_response, "200 OK", body)
