"""`make serve` reads .env as the settings do (values with shell syntax in them arrive whole),
and prints the database URL without its password."""

import os
import subprocess
import sys

import pytest

from config import serve_env

VALUES = {
    "DJANGO_DEFAULT_FROM_EMAIL": "Todos <todos@example.com>",
    "DATABASE_URL": "postgres://app:pa$$word&x@127.0.0.1:5432/todos?sslmode=disable&a=b",
    "DJANGO_ALLOWED_HOSTS": "todos.example.com, www.todos.example.com",
}


def test_the_shell_gets_each_value_of_env_whole(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in VALUES.items()))
    clean = {"PATH": os.environ["PATH"], "PYTHONPATH": os.getcwd()}
    script = f'eval "$({sys.executable} -m config.serve_env exports {env_file})"; ' + "; ".join(
        f'printf "%s\\n" "${name}"' for name in VALUES
    )
    shown = subprocess.run(["sh", "-c", script], env=clean, capture_output=True, text=True)
    assert shown.stderr == ""
    assert shown.stdout.splitlines() == list(VALUES.values())


def test_a_variable_already_set_is_left_alone(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_HTTPS=true\nEMAIL_URL=consolemail://\n")
    monkeypatch.setenv("DJANGO_HTTPS", "false")
    monkeypatch.delenv("EMAIL_URL", raising=False)
    assert serve_env.exports(str(env_file)) == ["export EMAIL_URL=consolemail://"]
    assert "EMAIL_URL" not in os.environ  # read, not set


def test_no_file_no_exports(tmp_path):
    assert serve_env.exports(str(tmp_path / ".env")) == []


def test_a_name_the_shell_cannot_take_is_left_out(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOD", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("1BAD=x\nGOOD=y\n")
    assert serve_env.exports(str(env_file)) == ["export GOOD=y"]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgres://app:secret@db:5432/todos", "postgres://app:***@db:5432/todos"),
        (
            "postgres://app:p@ss@db/todos?sslmode=require",
            "postgres://app:***@db/todos?sslmode=require",
        ),
        ("postgres://app@db/todos", "postgres://app@db/todos"),
        ("sqlite:////srv/todos/db.sqlite3", "sqlite:////srv/todos/db.sqlite3"),
        # The driver takes a password from the query string too.
        (
            "postgres://app@db/todos?password=s3cret&sslmode=require",
            "postgres://app@db/todos?password=***&sslmode=require",
        ),
        ("postgres://app:a@db/todos?PASSWORD=b", "postgres://app:***@db/todos?PASSWORD=***"),
    ],
)
def test_the_database_url_is_shown_without_its_password(url, shown):
    assert serve_env.shown(url) == shown
