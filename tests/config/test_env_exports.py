"""`make serve` reads .env as the settings do: values with shell syntax in them arrive whole."""

import os
import subprocess
import sys

from config import env_exports

VALUES = {
    "DJANGO_DEFAULT_FROM_EMAIL": "Todos <todos@example.com>",
    "DATABASE_URL": "postgres://app:pa$$word&x@127.0.0.1:5432/todos?sslmode=disable&a=b",
    "DJANGO_ALLOWED_HOSTS": "todos.example.com, www.todos.example.com",
}


def test_the_shell_gets_each_value_of_env_whole(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in VALUES.items()))
    clean = {"PATH": os.environ["PATH"], "PYTHONPATH": os.getcwd()}
    script = f'eval "$({sys.executable} -m config.env_exports {env_file})"; ' + "; ".join(
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
    assert env_exports.exports(str(env_file)) == ["export EMAIL_URL=consolemail://"]
    assert "EMAIL_URL" not in os.environ  # read, not set


def test_no_file_no_exports(tmp_path):
    assert env_exports.exports(str(tmp_path / ".env")) == []
