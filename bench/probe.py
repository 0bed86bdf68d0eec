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

`fixed_cost` times, in this one process and one request at a time (no HTTP server, no
queueing), a todo's page three ways: the floor's WSGI function, Django answering a signed-in
visitor with an empty page (the same middleware, session and user lookup, no view work: a URL
added here, not in the app), and the app's own page. It tells how much of the app's time any
Django page with a database session pays before the view starts.

Prints one JSON object on stdout: {"pages": {name: figures}, "fixed_cost": {...}}.
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


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
    return result


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {"sql": sql, "plan": plan}


def fixed_cost(page, rounds=5, requests=60):
    """Median milliseconds per request of `page` (a todo's page): floor, empty Django, app."""
    from django.contrib.auth.decorators import login_required
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import transaction
    from django.http import HttpResponse
    from django.urls import clear_url_caches, path

    from bench import floor
    from config import urls

    # Outside a transaction, as the app's read-only pages are (ATOMIC_REQUESTS is on).
    signed_in = transaction.non_atomic_requests(
        login_required(lambda request: HttpResponse(request.user.username))
    )
    urls.urlpatterns.append(path("bench/signed-in/", signed_in))
    clear_url_caches()
    django_app = WSGIHandler()
    apps = {
        "floor": (floor.application, page["path"]),
        "django_signed_in_empty": (django_app, "/bench/signed-in/"),
        "app": (django_app, page["path"]),
    }
    timings = {name: [] for name in apps}
    for _ in range(rounds):  # interleaved, so a busy moment of the machine hits all three
        for name, (app, path_info) in apps.items():
            call_wsgi(app, path_info, page["cookie"])
            started = time.perf_counter()
            for _ in range(requests):
                call_wsgi(app, path_info, page["cookie"])
            timings[name].append((time.perf_counter() - started) * 1000 / requests)
    return {name: round(statistics.median(values), 3) for name, values in timings.items()}


def call_wsgi(app, path_info, cookie):
    statuses = []
    environ = {"PATH_INFO": path_info, "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie}
    setup_testing_defaults(environ)  # a GET, an empty body and the other WSGI keys
    # The whole body read, as a server would.
    b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    if not statuses[0].startswith("200"):
        raise RuntimeError(f"{path_info} answered {statuses[0]} in the probe, not 200")


def main():
    pages = json.loads(Path(sys.argv[1]).read_text())
    result = {"pages": {name: probe(page) for name, page in pages.items()}}
    if "detail" in pages:
        result["fixed_cost"] = fixed_cost(pages["detail"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
