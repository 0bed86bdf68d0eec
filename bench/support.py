"""What the benchmark scripts share: databases, app servers, sessions and wrk on 127.0.0.1, and
what machine the figures come from."""

import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT_ROOT / "bench" / "results"
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://root@127.0.0.1:5432")


def postgres_url(database):
    return f"{PG_SERVER}/{database}"


def drop_database(name, server=PG_SERVER):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_database(name, server=PG_SERVER):
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def production_env(database_url):
    """The production settings over plain http on 127.0.0.1, as `make serve` runs them."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="bench-" + "k" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_HTTPS="false",
        DATABASE_URL=database_url,
        EMAIL_URL="dummymail://",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def manage(env, *args, capture=False):
    result = subprocess.run(
        [PYTHON, "manage.py", *map(str, args)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@contextlib.contextmanager
def collected_static(env):
    """Collect the static files once into a temporary root the servers then serve."""
    root = tempfile.mkdtemp(prefix="bench-static-")
    try:
        manage({**env, "DJANGO_STATIC_ROOT": root}, "collectstatic", "--no-input", "-v0")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def gunicorn(env, wsgi_app="config.wsgi:application", workers=2):
    """A gunicorn server on 127.0.0.1 with the project's gunicorn settings; yields its base URL."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", wsgi_app],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


SESSION_SCRIPT = """
import sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from users.models import User

for user in User.objects.filter(username__in=sys.argv[1:]):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(user.username, session.session_key)
"""


def python_output(env, *args):
    """What `python *args` prints, run in the project's folder with `env`; fails if it fails."""
    return subprocess.run(
        [PYTHON, *args], cwd=PROJECT_ROOT, env=env, check=True, text=True, capture_output=True
    ).stdout


def log_in_sessions(env, usernames):
    """{username: cookie header} with a database session and a CSRF token for each user."""
    output = python_output(env, "-c", SESSION_SCRIPT, *usernames)
    cookies = {}
    for line in output.split("\n"):
        if line.strip():
            username, session_key = line.split()
            csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
            cookies[username] = {
                "cookie": f"sessionid={session_key}; csrftoken={csrf}",
                "csrf": csrf,
            }
    return cookies


def lua_string(value):
    return json.dumps(str(value))


def run_wrk(url, script, duration, threads, connections, script_args=()):
    """Runs wrk with a Lua script whose done() prints one JSON line prefixed 'RESULT '."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    if script_args:
        command += ["--", *map(str, script_args)]
    output = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    match = re.search(r"^RESULT (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no RESULT line:\n{output}")
    return json.loads(match.group(1))


def wrk_rates(result):
    """Requests per second and latency percentiles in milliseconds, from a wrk result."""
    return {
        "requests_per_s": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "latency_ms": {k: round(v / 1000, 1) for k, v in result["latency_us"].items()},
    }


def write_results(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def machine():
    """The CPU model, its cores and Python's version, recorded with every result."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def server_version(url):
    """PostgreSQL's version at `url`."""
    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]
