"""What one request of each page costs in SQL: run by bench/bench.py in a child process.

    DJANGO_SETTINGS_MODULE=config.settings.production python bench/probe.py pages.json

Each page is requested through Django's test Client with the production settings against the
benchmark database, twice: the first warms the process up, the second is measured with
CaptureQueriesContext, which sees every statement Django sends (the outer transaction's BEGIN
and COMMIT and the connection health check are protocol round trips Django does not log).
pg_stat_statements would see those too, but it needs a server restart to load.

For the pages marked `explain`, every captured query that reads todos_todo is run again under
EXPLAIN (ANALYZE, BUFFERS): the plans are those of the app's own SQL, not of hand-written
copies. Prints one JSON object on stdout.
"""

import json
import sys
from pathlib import Path

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


def main():
    pages = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps({name: probe(page) for name, page in pages.items()}))


if __name__ == "__main__":
    main()
