"""The benchmark suite: the app beside a raw-SQL floor on a million todos (`make bench`).

    .venv/bin/python bench/bench.py              # everything: about five minutes
    .venv/bin/python bench/bench.py --reuse      # keep and reuse the seeded database
    .venv/bin/python bench/bench.py --reuse --pages list,detail --duration 5

1. Lifecycle: `migrate` from zero on an empty database, then `loaddata` of the demo fixtures.
2. Seeds its own PostgreSQL database (todos_bench) with `manage.py seed`: 10,000 users and
   1,000,000 todos with tags, one of them (`bench`) owning 10,000; measured from outside like
   bench/seed.py (wall time, peak memory, CPU of the command and of PostgreSQL); then
   VACUUM ANALYZE, which autovacuum would do on its own a minute later.
3. Per page, what one request runs (bench/probe.py: SQL queries, bytes, the EXPLAIN ANALYZE
   plans of the list's queries).
4. Serves the app (production settings) and the floor (bench/floor.py: one SQL query per page)
   under the same gunicorn settings, 2 sync workers each, on 127.0.0.1; checks that both show
   the same rows; then per page a warm-up, `wrk -t2 -c8` for --duration seconds and one
   connection for --alone seconds on each, the app then the floor, as the benchmark user (the
   admin pages as a staff user, app only). Worker recycling is off for both.
5. Prints requests/s, p50 and p99, queries, bytes and the floor/app ratio, PASS or MISS per
   target, and writes it all as JSON to bench/results/.

Everything binds to 127.0.0.1 and every load run stops by itself after --duration seconds.
The machine is shared: the load average is recorded with each figure; trust the ratios of one
run over absolute numbers.
"""

import argparse
import datetime
import json
import os
import re
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import (
    APPLICATION_NAME,
    TARGET_MEGABYTES,
    TARGET_SECONDS,
    measured_seed,
    row_counts,
    seed_command,
    seed_figures,
)
from bench.support import (
    PROJECT_ROOT,
    collected_static,
    drop_database,
    gunicorn,
    log_in_sessions,
    machine,
    manage,
    postgres_url,
    production_env,
    python_output,
    recreate_database,
    run_wrk,
    server_version,
    write_results,
    wrk_rates,
)
from todos.management.commands.load_demo_data import DEMO_FIXTURES

DATABASE = "todos_bench"
LUA = Path(__file__).with_name("bench.lua")
HEAVY_USER = "bench"
STAFF_USER = "bench-admin"
# The names of the pages bench_pages builds, for --pages.
PAGE_NAMES = ("list", "list_deep", "list_filtered", "detail", "admin", "admin_search")
SEED = {
    "users": 10_000,
    "todos": 1_000_000,
    "tags_per_user": 10,
    # The seed command's HEAVY_USER_TODOS: importing it would need Django's settings here.
    "heavy_user_todos": 10_000,
}

TARGETS = {
    "floor_ratio": 3.0,  # app throughput at least a third of the floor's
    "p50_vs_first_page": 1.5,  # deep and filtered pages
    "admin_p50_ms": 100,
    "seed_seconds": TARGET_SECONDS,
    "seed_megabytes": TARGET_MEGABYTES,
}
# The load: wrk -t2 -c8, four connections for each of the two workers.
WRK_THREADS, WRK_CONNECTIONS = 2, 8

SEQ_SCAN_ON_TODOS = re.compile(r"Seq Scan on todos_todo(?!_)")
TODO_IDS = re.compile(r'id="todo-(\d+)"')
DETAIL_TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>")


@dataclass(frozen=True)
class Page:
    name: str
    label: str
    path: str
    user: str
    floor: bool = True
    explain: bool = False
    # Also time, in the probe, Django answering the same visitor with an empty page.
    empty_page: bool = False
    # What shows that the floor and the app list the same rows: the todos' ids, by default.
    rows: re.Pattern = TODO_IDS


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page")
    parser.add_argument(
        "--alone",
        type=int,
        default=5,
        help="seconds of one connection per page: the latency without queueing",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the database if it is seeded (no seed or lifecycle runs), and keep it",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=DATABASE, help=f"its name (default {DATABASE})")
    parser.add_argument(
        "--pages",
        help=f"comma-separated page names to run: {', '.join(PAGE_NAMES)} (default: all)",
    )
    args = parser.parse_args()
    if args.pages:
        args.pages = set(args.pages.split(","))
        # Before the seed: a typo found after it would have cost a minute.
        if unknown := args.pages - set(PAGE_NAMES):
            parser.error(f"--pages: no page {', '.join(sorted(unknown))}")
    return args


def main():
    args = parse_args()
    started = datetime.datetime.now(datetime.UTC)
    report = {
        "benchmark": "pages",
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": [round(load, 2) for load in os.getloadavg()],
        "wrk": {
            "threads": WRK_THREADS,
            "connections": WRK_CONNECTIONS,
            "duration_s": args.duration,
        },
    }
    url = postgres_url(args.database)
    env = production_env(url)
    reuse = args.reuse and is_seeded(url)
    if reuse:
        print(f"Reusing the seeded database {args.database}: no seed or lifecycle measurements.")
    else:
        report["lifecycle"] = measure_lifecycle(f"{args.database}_lifecycle")
        report["seed"] = seed_database(args.database)
    report["postgresql"] = server_version(url)
    try:
        ensure_staff_user(env, url)
        subjects = choose_subjects(url)
        report["subjects"] = subjects
        pages = bench_pages(subjects)
        if args.pages:
            pages = [page for page in pages if page.name in args.pages]
        sessions = log_in_sessions(env, [HEAVY_USER, STAFF_USER])
        with collected_static(env) as static_root:
            served_env = {**env, "DJANGO_STATIC_ROOT": static_root}
            probes = probe_pages(served_env, pages, sessions)
            report["pages"] = drive_pages(served_env, pages, sessions, probes, args)
    finally:
        if not (args.keep or args.reuse):
            drop_database(args.database)
    report["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    report["verdicts"] = verdicts(report)
    print_report(report)
    path = write_results("bench", report)
    print(f"\nWritten to {path.relative_to(PROJECT_ROOT)}")
    return 0


# Databases -----------------------------------------------------------------------------------


def is_seeded(url):
    try:
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM users_user WHERE username = %s", [HEAVY_USER]
            ).fetchone()
    except psycopg.Error:
        return False
    return row[0] == 1


def timed(env, *command):
    started = time.monotonic()
    manage(env, *command, capture=True)
    return round(time.monotonic() - started, 2)


def measure_lifecycle(database):
    """`migrate` from zero on an empty database, then `loaddata` of the demo fixtures."""
    print("Lifecycle: migrate from zero, loaddata of the demo fixtures ...", flush=True)
    recreate_database(database)
    env = production_env(postgres_url(database))
    try:
        migrate = timed(env, "migrate", "--no-input", "-v0")
        loaddata = timed(env, "loaddata", *DEMO_FIXTURES, "-v0")
        # What both include of Python and Django starting up.
        startup = timed(env, "check", "--database", "default")
    finally:
        drop_database(database)
    objects = sum(
        len(json.loads((PROJECT_ROOT / "fixtures" / f"{name}.json").read_text()))
        for name in DEMO_FIXTURES
    )
    return {
        "migrate_from_zero_s": migrate,
        "loaddata_s": loaddata,
        "loaddata_objects": objects,
        "manage_py_check_s": startup,
    }


def seed_database(database):
    """A fresh database, migrated and seeded (measured), then vacuumed and analyzed."""
    print(f"Seeding {database} ...", flush=True)
    recreate_database(database)
    url = postgres_url(database)
    env = production_env(url)
    manage(env, "migrate", "--no-input", "-v0")
    spread = SEED["todos"] - SEED["heavy_user_todos"]
    command = seed_command(
        users=SEED["users"],
        todos=spread,
        tags_per_user=SEED["tags_per_user"],
        seed=1,
        heavy_user=HEAVY_USER,
        heavy_user_todos=SEED["heavy_user_todos"],
    )
    load_before = os.getloadavg()[0]
    seed_env = production_env(f"{url}?application_name={APPLICATION_NAME}")
    seconds, megabytes, client_cpu, postgresql_cpu = measured_seed(command, seed_env, url)
    with psycopg.connect(url, autocommit=True) as connection:
        started = time.monotonic()
        connection.execute("VACUUM (ANALYZE)")
        vacuum_seconds = time.monotonic() - started
        counts = row_counts(connection)
    return {
        **seed_figures(command, counts, seconds, megabytes, client_cpu, postgresql_cpu),
        "load_average_1m_before": round(load_before, 2),
        "vacuum_analyze_s": round(vacuum_seconds, 2),
    }


def ensure_staff_user(env, url):
    with psycopg.connect(url) as connection:
        exists = connection.execute(
            "SELECT 1 FROM users_user WHERE username = %s", [STAFF_USER]
        ).fetchone()
    if not exists:
        manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": "bench-admin-2026"},
            "createsuperuser",
            "--no-input",
            f"--username={STAFF_USER}",
            f"--email={STAFF_USER}@example.com",
        )


def choose_subjects(url):
    """What the pages ask for, taken from the data so that every page has rows to show."""
    with psycopg.connect(url) as connection:

        def one(sql, *params):
            return connection.execute(sql, params).fetchone()[0]

        user_id = one("SELECT id FROM users_user WHERE username = %s", HEAVY_USER)
        return {
            "user_id": user_id,
            # The benchmark user's most used tag.
            "tag": one(
                "SELECT g.name FROM todos_tag g JOIN todos_todo_tags l ON l.tag_id = g.id"
                " WHERE g.owner_id = %s GROUP BY g.name ORDER BY count(*) DESC, g.name LIMIT 1",
                user_id,
            ),
            # The most common word of four letters or more in the benchmark user's titles.
            "word": one(
                "SELECT word FROM todos_todo,"
                " regexp_split_to_table(lower(title), '[^a-z]+') AS word"
                " WHERE owner_id = %s AND length(word) >= 4"
                " GROUP BY word ORDER BY count(*) DESC, word LIMIT 1",
                user_id,
            ),
            # The newest of the user's todos with a description and tags.
            "todo_id": one(
                "SELECT t.id FROM todos_todo t WHERE t.owner_id = %s AND t.description <> ''"
                " AND EXISTS (SELECT 1 FROM todos_todo_tags l WHERE l.todo_id = t.id)"
                " ORDER BY t.created_at DESC LIMIT 1",
                user_id,
            ),
        }


def bench_pages(subjects):
    word, tag = subjects["word"], subjects["tag"]
    return [
        Page("list", "list, first page", "/todos/", HEAVY_USER, explain=True),
        Page("list_deep", "list, page 300", "/todos/?page=300", HEAVY_USER, explain=True),
        Page(
            "list_filtered",
            f"list, active, q={word}, tag={tag}, by due",
            f"/todos/?status=active&q={word}&tag={tag}&sort=due",
            HEAVY_USER,
            explain=True,
        ),
        Page(
            "detail",
            "a todo's page",
            f"/todos/{subjects['todo_id']}/",
            HEAVY_USER,
            rows=DETAIL_TITLE,
            empty_page=True,
        ),
        Page(
            "admin",
            "admin todo changelist",
            "/admin/todos/todo/",
            STAFF_USER,
            floor=False,
            explain=True,
        ),
        Page(
            "admin_search",
            f"admin changelist, q={word}",
            f"/admin/todos/todo/?q={word}",
            STAFF_USER,
            floor=False,
            explain=True,
        ),
    ]


# Measuring -----------------------------------------------------------------------------------


def probe_pages(env, pages, sessions):
    """bench/probe.py in a child process: the queries, bytes and plans of one request each."""
    spec = {
        page.name: {
            "path": page.path,
            "cookie": sessions[page.user]["cookie"],
            "explain": page.explain,
            "floor": page.floor,
            "empty_page": page.empty_page,
        }
        for page in pages
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(spec, file)
        file.flush()
        output = json.loads(python_output(env, "bench/probe.py", file.name))
    for name, probe in output["pages"].items():
        if probe["status"] != 200:
            sys.exit(f"{name} answered {probe['status']} in the probe, not 200")
    return output["pages"]


def fetch(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def check_same_rows(page, app_body, floor_body):
    """The floor must show what the app shows, or the comparison means nothing."""
    if page.rows.findall(app_body) != page.rows.findall(floor_body):
        sys.exit(f"The floor does not show the same rows as the app on {page.path}")


def load(base, page, cookie, args):
    script_args = (page.path, cookie)
    run_wrk(base, LUA, args.warmup, WRK_THREADS, WRK_CONNECTIONS, script_args)
    result = run_wrk(base, LUA, args.duration, WRK_THREADS, WRK_CONNECTIONS, script_args)
    # One request at a time: the time a request takes, without waiting for a free worker.
    alone = run_wrk(base, LUA, args.alone, 1, 1, script_args)
    errors = {kind: count for kind, count in result["errors"].items() if count}
    if errors:
        print(f"!! wrk saw errors on {page.path}: {errors}")
    return {
        "requests": result["requests"],
        **wrk_rates(result),
        "alone_p50_ms": round(alone["latency_us"]["p50"] / 1000, 2),
        "errors": errors,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def drive_pages(env, pages, sessions, probes, args):
    results = {}
    # No worker recycling in the middle of a measurement: the floor's would restart every few
    # seconds at the default 5,000 requests.
    env = {**env, "GUNICORN_MAX_REQUESTS": "0"}
    with (
        gunicorn(env) as app,
        gunicorn(env, wsgi_app="bench.floor:application") as floor,
    ):
        for page in pages:
            cookie = sessions[page.user]["cookie"]
            probe = probes[page.name]
            result = {
                "label": page.label,
                "path": page.path,
                "queries": probe["queries"],
                "sql": probe["sql"],
                "plans": probe.get("plans", []),
                "in_process_ms": probe.get("in_process"),
                "bytes": {"app": probe["bytes"]},
            }
            if page.floor:
                floor_body = fetch(floor + page.path, cookie)
                check_same_rows(page, fetch(app + page.path, cookie), floor_body)
                result["bytes"]["floor"] = len(floor_body.encode())
            print(f"Load: {page.label} ...", flush=True)
            result["app"] = load(app, page, cookie, args)
            if page.floor:
                result["floor"] = load(floor, page, cookie, args)
                result["ratio"] = round(
                    result["floor"]["requests_per_s"] / result["app"]["requests_per_s"], 2
                )
            results[page.name] = result
    return results


# Verdicts and the report ---------------------------------------------------------------------


def verdict(name, target, value, met, note=""):
    return {"name": name, "target": target, "value": value, "met": met, "note": note}


def verdicts(report):
    pages = report["pages"]
    found = []
    for name in ("list", "detail"):
        if name in pages:
            ratio = pages[name]["ratio"]
            found.append(
                verdict(
                    f"{pages[name]['label']}: floor/app throughput",
                    f"<= {TARGETS['floor_ratio']}",
                    f"{ratio:.2f}",
                    ratio <= TARGETS["floor_ratio"],
                )
            )
    if "list" in pages:
        first = pages["list"]["app"]["latency_ms"]["p50"]
        for name in ("list_deep", "list_filtered"):
            if name in pages:
                p50 = pages[name]["app"]["latency_ms"]["p50"]
                found.append(
                    verdict(
                        f"{pages[name]['label']}: p50 vs the first page's",
                        f"<= {TARGETS['p50_vs_first_page']}x",
                        f"{p50 / first:.2f}x ({p50} ms vs {first} ms)",
                        p50 <= TARGETS["p50_vs_first_page"] * first,
                    )
                )
    # That they stay the same whatever the list's size is for the tests (tests/todos): here,
    # one list of each kind.
    list_queries = {
        pages[n]["label"]: pages[n]["queries"]
        for n in ("list", "list_deep", "list_filtered")
        if n in pages
    }
    if list_queries:
        found.append(
            verdict(
                "list pages: SQL statements per request (the same at any size: see the tests)",
                "<= 10",
                "; ".join(f"{label}: {queries}" for label, queries in list_queries.items()),
                max(list_queries.values()) <= 10,
            )
        )
    for name in ("admin", "admin_search"):
        if name in pages:
            p50 = pages[name]["app"]["latency_ms"]["p50"]
            errors = pages[name]["app"]["errors"]
            full_counts = [sql for sql in pages[name]["sql"] if is_full_count(sql)]
            found.append(
                verdict(
                    f"{pages[name]['label']}: p50, and no COUNT(*) of the whole table",
                    f"< {TARGETS['admin_p50_ms']} ms, no full count",
                    f"{p50} ms, {len(full_counts)} full count(s)"
                    + (f", wrk errors {errors}" if errors else ""),
                    p50 < TARGETS["admin_p50_ms"] and not full_counts and not errors,
                )
            )
    seq_scans = [
        name
        for name, page in pages.items()
        if name.startswith("list")
        and any(SEQ_SCAN_ON_TODOS.search(p["plan"]) for p in page["plans"])
    ]
    if any(name.startswith("list") for name in pages):
        found.append(
            verdict(
                "list plans: no sequential scan of todos_todo",
                "none",
                ", ".join(seq_scans) or "none",
                not seq_scans,
            )
        )
    if seed := report.get("seed"):
        found.append(
            verdict(
                "seed 1,000,000 todos with tags",
                f"< {TARGETS['seed_seconds']} s and < {TARGETS['seed_megabytes']} MB",
                f"{seed['wall_seconds']} s, {seed['peak_rss_mb']} MB",
                seed["wall_seconds"] < TARGETS["seed_seconds"]
                and seed["peak_rss_mb"] < TARGETS["seed_megabytes"],
            )
        )
    return found


def is_full_count(sql):
    """A COUNT over the todos table with no condition: what the admin must never run."""
    return bool(re.search(r'COUNT\(.*\bFROM "todos_todo"(?!_)', sql)) and " WHERE " not in sql


def print_report(report):
    print(f"\n== {report['date']}  {report['machine']['cpu']}, {report['machine']['cores']} cores,")
    print(
        f"   PostgreSQL {report['postgresql']}, Python {report['machine']['python']};"
        f" load average {report['load_average_before'][0]} before,"
        f" {report['load_average_after'][0]} after"
    )
    if lifecycle := report.get("lifecycle"):
        print(
            f"\nmigrate from zero: {lifecycle['migrate_from_zero_s']} s;"
            f" loaddata of {lifecycle['loaddata_objects']} demo objects:"
            f" {lifecycle['loaddata_s']} s"
            f" (manage.py check alone: {lifecycle['manage_py_check_s']} s)"
        )
    if seed := report.get("seed"):
        print(
            f"seed: {seed['total_rows']:,} rows in {seed['wall_seconds']} s"
            f" ({seed['rows_per_second']:,} rows/s), peak {seed['peak_rss_mb']} MB;"
            f" CPU {seed['cpu_seconds']['seed_process']} s in the command,"
            f" {seed['cpu_seconds']['postgresql']} s in PostgreSQL"
            f" (load average {seed['load_average_1m_before']} before)"
        )
    print_plans(report["pages"])
    print(
        f"\nwrk -t{report['wrk']['threads']} -c{report['wrk']['connections']},"
        f" {report['wrk']['duration_s']} s a page"
        " (latency in ms; alone: p50 with one connection, no queueing;"
        " queries: SQL statements per request)\n"
    )
    header = (
        f"{'page':<40} {'req/s':>6} {'p50':>6} {'p99':>6} {'alone':>6} {'queries':>7} {'bytes':>6}"
        f" | {'floor req/s':>11} {'p50':>5} {'p99':>5} {'alone':>5} {'bytes':>5} | {'ratio':>5}"
    )
    print(header)
    print("-" * len(header))
    for page in report["pages"].values():
        app, floor = page["app"], page.get("floor")
        line = (
            f"{page['label'][:40]:<40} {app['requests_per_s']:>6} {app['latency_ms']['p50']:>6}"
            f" {app['latency_ms']['p99']:>6} {app['alone_p50_ms']:>6} {page['queries']:>7}"
            f" {page['bytes']['app']:>6}"
        )
        if floor:
            line += (
                f" | {floor['requests_per_s']:>11} {floor['latency_ms']['p50']:>5}"
                f" {floor['latency_ms']['p99']:>5} {floor['alone_p50_ms']:>5}"
                f" {page['bytes']['floor']:>5} | {page['ratio']:>5}"
            )
        else:
            line += f" | {'(no floor)':>11}"
        print(line)
    print_in_process(report["pages"])
    print("\nTargets:")
    for found in report["verdicts"]:
        mark = "PASS" if found["met"] else "MISS"
        print(f"  {mark}  {found['name']}: {found['value']} (target {found['target']})")
    missed = [found for found in report["verdicts"] if not found["met"]]
    if missed:
        print(f"\n{len(missed)} target(s) MISSED: the README's Performance section says why.")


def print_in_process(pages):
    timed = {name: page for name, page in pages.items() if page.get("in_process_ms")}
    if not timed:
        return
    print(
        "\nIn one process, one request at a time (ms; HTML: the app's template rendered again"
        " with every row already read; the last column is the app less its HTML against the"
        " floor, what a template that took no time would give):\n"
    )
    print(f"{'page':<40} {'floor':>6} {'app':>6} {'HTML':>6} | {'(app - HTML)/floor':>18}")
    for page in timed.values():
        times = page["in_process_ms"]
        html = times["html"]
        without_html = "—" if html is None else f"{(times['app'] - html) / times['floor']:.1f}"
        print(
            f"{page['label']:<40} {times['floor']:>6} {times['app']:>6} {html or '—':>6} |"
            f" {without_html:>18}"
        )
    for page in timed.values():
        times = page["in_process_ms"]
        if empty := times.get("django_signed_in_empty"):
            print(
                f"\nIn the same turns as {page['label']}: Django answering a signed-in visitor"
                f" with an empty page {empty} ms ({empty / times['floor']:.1f}x the floor),"
                " what any signed-in page pays before its view starts."
            )


def print_plans(pages):
    for name in ("list", "list_deep", "list_filtered"):
        if name not in pages:
            continue
        print(f"\n-- EXPLAIN (ANALYZE, BUFFERS) of the todos queries of: {pages[name]['label']}")
        for plan in pages[name]["plans"]:
            print(f"\n{plan['sql']}\n{plan['plan']}")
            if SEQ_SCAN_ON_TODOS.search(plan["plan"]):
                print("!! Seq Scan on todos_todo")


if __name__ == "__main__":
    sys.exit(main())
