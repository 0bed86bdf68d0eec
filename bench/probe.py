"""What one request of each page costs in SQL: run by bench/bench.py in a child process.

    DJANGO_SETTINGS_MODULE=config.settings.production python bench/probe.py pages.json

Each page is requested through Django's test Client with the production settings against the
benchmark database, twice: the first warms the process up, the second is measured with
CaptureQueriesContext, which sees every statement Django sends (the outer transaction's BEGIN
and COMMIT and the connection health check are protocol round trips Django does not log).
pg_stat_statements would see those too, but it needs a server restart to load.

For the pages marked `explain`, every captured query that reads todos_todo is run again under
EXPLAIN (ANALYZE, BUFFERS): the plans are those of the app's own SQL, not of hand-written
copies.

For the pages the floor also serves, `in_process` times the page one request at a time in
this process (no HTTP server, no queueing), from the floor's WSGI function and from Django's,
and how long the app's HTML takes: its template rendered again with the same context, every
row already read (no query runs; if one did, no figure is given). The page's time less its
HTML is what the app would cost with a template that took no time at all.

For the pages marked `empty_page` (a todo's page), the same turns also time Django answering a
signed-in visitor with an empty page (the same middleware, session and user lookup, no view
work: a URL added here, not in the app): how much of the app's time any Django page with a
database session pays before the view starts.

Prints one JSON object on stdout: {"pages": {name: figures}}.
"""

import json
import statistics
import sys
import time
from pathlib import Path
from wsgiref.util import setup_testing_defaults

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import floor  # noqa: E402

django_app = WSGIHandler()
SIGNED_IN_EMPTY_PATH = "/bench/signed-in/"


def probe(page):
    client = Client(HTTP_HOST="127.0.0.1", headers={"Cookie": page["cookie"]})
    client.get(page["path"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page["path"])
    queries = [query["sql"] for query in captured]
    result = {
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(queries),
        "sql": queries,
    }
    if page.get("explain"):
        result["plans"] = [explain(sql) for sql in queries if '"todos_todo"' in sql]
    if page.get("floor"):
        path = page["path"]
        apps = {"floor": (floor.application, path), "app": (django_app, path)}
        if page.get("empty_page"):
            apps["django_signed_in_empty"] = (django_app, SIGNED_IN_EMPTY_PATH)
        result["in_process"] = {
            **interleaved_ms(apps, page["cookie"]),
            "html": html_ms(response),
        }
    return result


def html_ms(response, renders=200):
    """Median milliseconds to render `response`'s template again, its data already read."""
    template = response.resolve_template(response.template_name)
    timings = []
    with CaptureQueriesContext(connection) as captured:
        for _ in range(renders):
            started = time.perf_counter()
            template.render(response.context_data, response.wsgi_request)
            timings.append((time.perf_counter() - started) * 1000)
    return None if len(captured) else round(statistics.median(timings), 3)


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {"sql": sql, "plan": plan}


def add_signed_in_empty_page():
    """Serve SIGNED_IN_EMPTY_PATH: the signed-in user's name and nothing else, after sign-in."""
    from django.contrib.auth.decorators import login_required
    from django.db import transaction
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from config import urls

    # Outside a transaction, as the app's read-only pages are (ATOMIC_REQUESTS is on).
    signed_in = transaction.non_atomic_requests(
        login_required(lambda request: HttpResponse(request.user.username))
    )
    urls.urlpatterns.append(path(SIGNED_IN_EMPTY_PATH.lstrip("/"), signed_in))
    clear_url_caches()


def interleaved_ms(apps, cookie, rounds=5, requests=40):
    """Median milliseconds per request of each `apps` {name: (WSGI callable, path)}.

    One request at a time, the apps taking turns so that a busy moment of the machine hits all.
    """
    timings = {name: [] for name in apps}
    for _ in range(rounds):
        for name, (app, path) in apps.items():
            call_wsgi(app, path, cookie)
            started = time.perf_counter()
            for _ in range(requests):
                call_wsgi(app, path, cookie)
            timings[name].append((time.perf_counter() - started) * 1000 / requests)
    return {name: round(statistics.median(values), 3) for name, values in timings.items()}


def call_wsgi(app, path, cookie):
    statuses = []
    path_info, _, query = path.partition("?")
    environ = {
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
    }
    setup_testing_defaults(environ)  # a GET, an empty body and the other WSGI keys
    # The whole body read, as a server would.
    b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    if not statuses[0].startswith("200"):
        raise RuntimeError(f"{path} answered {statuses[0]} in the probe, not 200")


def main():
    pages = json.loads(Path(sys.argv[1]).read_text())
    if any(page.get("empty_page") for page in pages.values()):
        add_signed_in_empty_page()
    print(json.dumps({"pages": {name: probe(page) for name, page in pages.items()}}))


if __name__ == "__main__":
    main()
