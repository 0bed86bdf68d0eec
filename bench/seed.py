"""Benchmark `manage.py seed` on the local PostgreSQL: wall time and peak memory.

    .venv/bin/python bench/seed.py            # 10,000 users, 1,000,000 todos with tags

It (re)creates a database of its own (todos_bench_seed), migrates it, then runs the seed command
as a child process and measures it from outside: wall time with a monotonic clock, peak memory
as the child's maximum resident set size (wait4). The figures are printed and written as JSON to
bench/results/. The database is dropped at the end unless --keep is given.

Target (issue 6): under 30 s and under 300 MB on the project's 2-core machine.
"""

import argparse
import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import (
    PG_SERVER,
    PROJECT_ROOT,
    PYTHON,
    drop_database,
    machine,
    manage,
    recreate_database,
    server_version,
    write_results,
)

TARGET_SECONDS = 30
TARGET_MEGABYTES = 300
# Names the seed's database sessions, so that their server processes can be found.
APPLICATION_NAME = "todos-bench-seed"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=PG_SERVER)
    parser.add_argument("--database", default="todos_bench_seed")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--todos", type=int, default=1_000_000)
    parser.add_argument("--tags-per-user", type=int, default=10)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--workers", type=int, help="the seed's --workers (default: its own)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    return parser.parse_args()


def seed_command(**options):
    """`manage.py seed` with `options` as --name=value; a None value leaves the seed's default."""
    given = {name: value for name, value in options.items() if value is not None}
    return [
        PYTHON,
        "manage.py",
        "seed",
        *(f"--{name.replace('_', '-')}={value}" for name, value in given.items()),
    ]


def measured_seed(command, env, url):
    """Run the seed `command` on the database at `url`, measured from outside.

    Returns wall seconds, peak memory (MB), CPU seconds of the command and of its PostgreSQL
    server processes; exits if the seed fails.
    """
    server_cpu = ServerCpu(url)
    server_cpu.start()
    returncode, seconds, megabytes, client_cpu = run_measured(command, env)
    server_seconds = server_cpu.total()
    if returncode:
        sys.exit(f"seed failed with exit code {returncode}")
    return seconds, megabytes, client_cpu, server_seconds


def seed_figures(command, counts, seconds, megabytes, client_cpu, server_cpu):
    """What a measured seed run reports, from the rows it left in each table (`counts`)."""
    total_rows = sum(counts.values())
    return {
        "command": " ".join(["manage.py", *command[2:]]),
        "rows": counts,
        "total_rows": total_rows,
        "wall_seconds": round(seconds, 2),
        "rows_per_second": round(total_rows / seconds),
        "peak_rss_mb": round(megabytes, 1),
        "cpu_seconds": {"seed_process": round(client_cpu, 2), "postgresql": round(server_cpu, 2)},
    }


def run_measured(command, env):
    """Run `command`: its exit code, wall seconds, peak memory (MB) and CPU seconds."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    # wait4 gives this child's own resource usage (RUSAGE_CHILDREN would mix in migrate's).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


class ServerCpu(threading.Thread):
    """Samples the CPU time of the seed's PostgreSQL server processes while it runs.

    The server is local, so /proc tells how much of the wall time the database itself worked.
    """

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.seconds = {}
        self.finished = threading.Event()

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.finished.wait(0.2):
                pids = connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                    [APPLICATION_NAME],
                ).fetchall()
                for (pid,) in pids:
                    self.seconds[pid] = cpu_seconds(pid) or self.seconds.get(pid, 0)

    def total(self):
        self.finished.set()
        self.join()
        return sum(self.seconds.values())


def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def row_counts(connection):
    tables = ("users_user", "todos_tag", "todos_todo", "todos_todo_tags")
    return {
        table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables
    }


def main():
    args = parse_args()
    url = f"{args.server}/{args.database}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{url}?application_name={APPLICATION_NAME}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    recreate_database(args.database, args.server)
    try:
        manage(env, "migrate", "--no-input", "-v0")
        command = seed_command(
            users=args.users,
            todos=args.todos,
            tags_per_user=args.tags_per_user,
            seed=args.seed,
            batch_size=args.batch_size or None,
            workers=args.workers or None,
        )
        load_before = os.getloadavg()
        seconds, megabytes, client_cpu, server_seconds = measured_seed(command, env, url)
        load_after = os.getloadavg()
        with psycopg.connect(url) as connection:
            counts = row_counts(connection)
        version = server_version(url)
    finally:
        if not args.keep:
            drop_database(args.database, args.server)

    result = {
        "benchmark": "seed",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "postgresql": version,
        "load_average_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        **seed_figures(command, counts, seconds, megabytes, client_cpu, server_seconds),
        "target": {"seconds": TARGET_SECONDS, "peak_rss_mb": TARGET_MEGABYTES},
        "met": seconds < TARGET_SECONDS and megabytes < TARGET_MEGABYTES,
    }
    path = write_results("seed", result)
    verdict = "met" if result["met"] else "MISSED"
    print(
        f"\n{result['total_rows']:,} rows in {seconds:.1f} s "
        f"({result['rows_per_second']:,} rows/s), "
        f"peak {megabytes:.0f} MB; CPU {client_cpu:.1f} s in the command, "
        f"{server_seconds:.1f} s in PostgreSQL; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after.\n"
        f"Target < {TARGET_SECONDS} s and < {TARGET_MEGABYTES} MB: {verdict}. "
        f"Written to {path.relative_to(PROJECT_ROOT)}"
    )


if __name__ == "__main__":
    main()
