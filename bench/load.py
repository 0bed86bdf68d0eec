"""Load and fault test: the app under gunicorn on a seeded PostgreSQL, driven by wrk.

    python bench/load.py            # 60 s of mixed traffic by 50 users at concurrency 32
    python bench/load.py --fault    # the same, restarting PostgreSQL in the middle

Reports requests/s, p50/p95/p99 latency and errors, asserts zero 5xx (the fault run allows the
friendly 503 while the database is down, never a 500), and checks that every create the app
acknowledged is in the database exactly once. Everything binds to 127.0.0.1; wrk stops by
itself after --duration seconds.
"""

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (
    collected_static,
    gunicorn,
    log_in_sessions,
    lua_string,
    manage,
    postgres_url,
    production_env,
    recreate_database,
    run_wrk,
    write_results,
    wrk_rates,
)

DATABASE = "todos_load"
LUA = Path(__file__).with_name("load.lua")
LIST_PATHS = [
    "/todos/",
    "/todos/?status=active",
    "/todos/?status=completed&sort=due",
    "/todos/?q=the&sort=-priority",
    "/todos/?page=2",
    "/todos/?sort=title&per_page=50",
]
WRK_THREADS = 2


def seed(env, users, todos_per_user):
    manage(env, "migrate", "--no-input", "-v0")
    manage(
        env,
        "seed",
        "--users",
        users,
        "--todos-per-user",
        todos_per_user,
        "--tags-per-user",
        5,
        "--seed",
        8,
        "--no-input",
        "-v0",
    )
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT u.username, array_agg(ARRAY[t.id, t.version] ORDER BY t.id) FROM users_user u "
            "JOIN todos_todo t ON t.owner_id = u.id GROUP BY u.id ORDER BY u.id LIMIT %s",
            [users],
        ).fetchall()
    return dict(rows)


def write_lua_config(path, sessions, todo_ids, run_id, ack_dir):
    lines = [
        f"RUN_ID = {lua_string(run_id)}",
        f"ACK_DIR = {lua_string(ack_dir)}",
        f"THREADS = {WRK_THREADS}",
        "LIST_PATHS = {" + ", ".join(map(lua_string, LIST_PATHS)) + "}",
        "USERS = {",
    ]
    for username, session in sessions.items():
        todos = todo_ids[username]
        half = len(todos) // 2
        edits = ", ".join(f"{{{todo_id}, {version}}}" for todo_id, version in todos[:half])
        toggles = ", ".join(str(todo_id) for todo_id, _ in todos[half:])
        lines.append(
            "  {{ cookie = {}, csrf = {}, edits = {{{}}}, toggle_ids = {{{}}} }},".format(
                lua_string(session["cookie"]),
                lua_string(session["csrf"]),
                edits,
                toggles,
            )
        )
    lines.append("}")
    path.write_text("\n".join(lines) + "\n")


class AvailabilityProbe(threading.Thread):
    """Asks for one signed-in page every 100 ms and keeps (time, status, seconds) for each."""

    def __init__(self, url, cookie):
        super().__init__(daemon=True)
        self.url, self.cookie = url, cookie
        self.samples = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            request = urllib.request.Request(self.url, headers={"Cookie": self.cookie})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            self.samples.append((started, status, time.monotonic() - started))
            self.stop.wait(0.1)


def restart_postgresql(pause):
    """Stops PostgreSQL for `pause` seconds, starts it again; returns (stopped, started)."""
    cluster = [
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        sorted(Path("/etc/postgresql").iterdir())[-1].name,
        "main",
    ]
    subprocess.run([*cluster, "stop", "--", "-m", "fast"], check=True)
    stopped = time.monotonic()
    time.sleep(pause)
    subprocess.run([*cluster, "start"], check=True)
    return stopped, time.monotonic()


def check_durability(database_url, run_id, ack_dir):
    acked = Counter()
    for path in Path(ack_dir).glob("acked-*.txt"):
        acked.update(line for line in path.read_text().split("\n") if line)
    with psycopg.connect(database_url) as conn:
        stored = Counter(
            title
            for (title,) in conn.execute(
                "SELECT title FROM todos_todo WHERE title LIKE %s", [f"load-{run_id}-%"]
            )
        )
    return {
        "acknowledged_creates": sum(acked.values()),
        "lost": sorted(title for title in acked if stored[title] == 0),
        "duplicated": sorted(title for title, n in stored.items() if n > 1),
    }


def summarise_outage(samples, stopped, started):
    failures = [s for s in samples if s[1] != 200]
    recovered = next((s[0] for s in samples if s[0] >= started and s[1] == 200), None)
    return {
        "database_down_seconds": round(started - stopped, 2),
        "probe_failures": len(failures),
        "probe_statuses_while_down": sorted({s[1] for s in failures}),
        "slowest_answer_while_down_s": round(max((s[2] for s in failures), default=0), 2),
        "back_after_database_start_s": round(recovered - started, 2) if recovered else None,
        "first_failure_to_recovery_s": (
            round(recovered - failures[0][0], 2) if failures and recovered else 0
        ),
    }


def drive(base, options, sessions, config):
    """Runs wrk against `base` while a probe watches; with --fault, restarts PostgreSQL."""
    probe = AvailabilityProbe(f"{base}/todos/", next(iter(sessions.values()))["cookie"])
    probe.start()
    outage = {}

    def fault():
        time.sleep(options.duration / 3)
        outage["stopped"], outage["started"] = restart_postgresql(pause=3)

    fault_thread = threading.Thread(target=fault)
    if options.fault:
        fault_thread.start()
    print(f"wrk -t{WRK_THREADS} -c{options.connections} -d{options.duration}s ...", flush=True)
    result = run_wrk(base, LUA, options.duration, WRK_THREADS, options.connections, [config])
    if options.fault:
        fault_thread.join()
        time.sleep(6)  # the probe sees the recovery
    probe.stop.set()
    probe.join()
    return result, probe.samples, outage


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--todos-per-user", type=int, default=200)
    parser.add_argument("--fault", action="store_true", help="restart PostgreSQL mid-run")
    options = parser.parse_args()

    recreate_database(DATABASE)
    env = production_env(postgres_url(DATABASE))
    print(f"Seeding {options.users} users x {options.todos_per_user} todos ...", flush=True)
    todo_ids = seed(env, options.users, options.todos_per_user)
    sessions = log_in_sessions(env, list(todo_ids))
    run_id = secrets.token_hex(3)
    ack_dir = tempfile.mkdtemp(prefix="bench-load-")
    config = Path(ack_dir) / "config.lua"
    write_lua_config(config, sessions, todo_ids, run_id, ack_dir)

    with (
        collected_static(env) as static_root,
        gunicorn({**env, "DJANGO_STATIC_ROOT": static_root}, workers=None) as base,
    ):
        result, samples, outage = drive(base, options, sessions, config)

    report = {
        "run": "fault" if options.fault else "steady",
        "duration_s": options.duration,
        "connections": options.connections,
        "users": options.users,
        **wrk_rates(result),
        "statuses": result["statuses"],
        "socket_errors": result["errors"],
        "durability": check_durability(env["DATABASE_URL"], run_id, ack_dir),
    }
    if options.fault:
        report["outage"] = summarise_outage(samples, outage["stopped"], outage["started"])

    server_errors = {k: v for k, v in result["statuses"].items() if k.split(":")[1].startswith("5")}
    allowed = {k: v for k, v in server_errors.items() if options.fault and k.endswith(":503")}
    failures = []
    if set(server_errors) - set(allowed):
        failures.append(
            f"5xx answers: { {k: v for k, v in server_errors.items() if k not in allowed} }"
        )
    if report["durability"]["lost"] or report["durability"]["duplicated"]:
        failures.append("acknowledged creates lost or duplicated")
    if options.fault and (report["outage"]["back_after_database_start_s"] or 99) > 5:
        failures.append("the app was not serving again within 5 s of the database returning")
    if options.fault and report["outage"]["slowest_answer_while_down_s"] > 5:
        failures.append("an answer during the outage took over 5 s")
    report["verdict"] = "PASS" if not failures else "FAIL: " + "; ".join(failures)

    print(json.dumps(report, indent=2))
    print(f"written to {write_results('load-' + report['run'], report)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
