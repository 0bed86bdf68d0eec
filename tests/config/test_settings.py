import os
import subprocess
import sys

import pytest
from django.conf import settings

PROJECT_ROOT = settings.BASE_DIR
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-test-only-0123456789",
    "DATABASE_URL": "sqlite:///:memory:",
    "DJANGO_ALLOWED_HOSTS": "todos.example.com",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
}


def production_environment(**overrides):
    """This process's environment with the production settings; an override of None unsets."""
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    # The browser tests set it for Playwright; a deployment must never have it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update({k: v for k, v in {**PRODUCTION_ENV, **overrides}.items() if v is not None})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return env


def run_production(args, **overrides):
    """Python with `args` in a child process under the production settings and environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=production_environment(**overrides),
        capture_output=True,
        text=True,
    )


def load_production_settings(**overrides):
    return run_production(["-c", "import django; django.setup()"], **overrides)


def test_production_settings_load_with_the_required_environment():
    result = load_production_settings()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_settings_name_the_missing_variable(missing):
    result = load_production_settings(**{missing: None})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_atomic_requests_and_argon2_first(settings):
    from config.settings import base

    assert base.DATABASES["default"]["ATOMIC_REQUESTS"] is True
    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_USER_MODEL == "users.User"


@pytest.mark.parametrize(
    ("url", "transaction_mode"),
    [("sqlite:///todos.db", "IMMEDIATE"), ("postgres://todos@db:5432/todos", None)],
)
def test_on_sqlite_a_request_waits_its_turn_to_write(url, transaction_mode):
    """Everywhere one transaction a request; on SQLite one that takes the write lock first, so a
    second writer (a double click) waits instead of failing with "database is locked"."""
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(d['ATOMIC_REQUESTS'], d.get('OPTIONS', {}).get('transaction_mode'))"
    )
    for module in ("config.settings.local", "config.settings.production"):
        env = {**production_environment(DATABASE_URL=url), "DJANGO_SETTINGS_MODULE": module}
        result = subprocess.run(
            [sys.executable, "-c", show], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        assert result.stdout.split() == ["True", str(transaction_mode)], (module, result.stderr)


# Django under the production settings with a test client, in the child process. There is no
# collectstatic there: the error pages take their static URLs without the manifest.
CLIENT_SETUP = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "from django.test import Client, override_settings\n"
    "plain = {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}\n"
    "override_settings(STORAGES={**settings.STORAGES, 'staticfiles': plain}).enable()\n"
)


def test_a_password_reset_link_is_never_logged_with_its_token():
    # Against an empty database, so the link's own page fails: Django logs that error itself.
    paths = [
        "/accounts/reset/MQ/abc-123-token/",  # matched: logged as its route
        "/accounts/reset/MQ/abc-123-token",  # the slash added by a redirect
        "/accounts/reset/MQ/abc-123-token/more/",  # a 404
    ]
    code = (
        CLIENT_SETUP
        + "client = Client(HTTP_HOST='todos.example.com', raise_request_exception=False)\n"
        f"for path in {paths!r}:\n"
        "    print('STATUS', client.get(path, secure=True).status_code)\n"
    )
    result = run_production(["-c", code])
    output = result.stdout + result.stderr
    statuses = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("STATUS")]
    assert statuses[0].startswith("5"), output  # Django's own error line was written
    assert statuses[1:] == ["301", "404"], output
    assert "abc-123-token" not in output
    assert output.count("/accounts/reset/<uidb64>/<token>") >= len(paths)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DJANGO_HTTPS": "ture"}, "DJANGO_HTTPS must be true or false, not 'ture'"),
        ({"DJANGO_HTTPS": "enabled"}, "DJANGO_HTTPS must be true or false"),
        ({"DJANGO_HTTPS": ""}, "DJANGO_HTTPS must be true or false"),
        ({"DATABASE_URL": "notaurl"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "postgres://db:99999/todos"}, "DATABASE_URL is not a database URL"),
        ({"DATABASE_URL": "mysql://db/todos"}, "a database this project does not run on"),
        ({"DJANGO_SECRET_KEY": "   "}, "need DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": ","}, "DJANGO_ALLOWED_HOSTS names no host"),
        ({"DJANGO_ADMIN_URL": "/admin"}, "DJANGO_ADMIN_URL must look like 'admin/'"),
        ({"DJANGO_CONN_MAX_AGE": "abc"}, "DJANGO_CONN_MAX_AGE must be a number of seconds"),
        ({"DJANGO_LOG_FORMAT": "xml"}, "DJANGO_LOG_FORMAT must be json or plain, not 'xml'"),
        ({"DJANGO_TRUSTED_PROXIES": "one"}, "DJANGO_TRUSTED_PROXIES must be a number of proxies"),
        ({"DJANGO_TRUSTED_PROXIES": "-1"}, "DJANGO_TRUSTED_PROXIES must be a number of proxies"),
    ],
    ids=[
        "https typo",
        "https word",
        "https empty",
        "database url",
        "database url without a name",
        "database port out of range",
        "database not supported",
        "secret key of spaces",
        "no host",
        "admin url",
        "connection age",
        "log format",
        "proxies word",
        "proxies negative",
    ],
)
def test_a_bad_production_setting_stops_the_start_and_says_which(overrides, message):
    # Before, these started: a typo turned the HTTPS hardening off, or every request got a 400.
    result = load_production_settings(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("value", ["true", "True", " yes ", "1", "on"])
def test_https_is_on_for_every_spelling_of_yes(value):
    code = "import django; django.setup(); from django.conf import settings; print(settings.HTTPS)"
    result = run_production(["-c", code], DJANGO_HTTPS=value)
    assert result.stdout.strip() == "True", result.stderr


def test_a_host_not_allowed_gets_a_400_and_one_log_line_without_a_traceback():
    code = (
        CLIENT_SETUP + "client = Client(HTTP_HOST='evil.example', raise_request_exception=False)\n"
        "print('STATUS', client.get('/accounts/login/', secure=True).status_code)\n"
    )
    result = run_production(["-c", code])
    output = result.stdout + result.stderr
    assert "STATUS 400" in result.stdout, output
    assert '"status": 400' in result.stdout
    assert "Traceback" not in output
    assert "DisallowedHost" not in output


def test_allowed_hosts_are_read_without_the_spaces_around_them():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.ALLOWED_HOSTS)"
    result = run_production(["-c", code], DJANGO_ALLOWED_HOSTS="a.example, b.example ,")
    assert result.stdout.strip() == "['a.example', 'b.example']", result.stderr


@pytest.mark.parametrize("key", ["$k9#x(-2a!v@p1zq_7+e)m^wr&0s3u*8dfhb=c5ylgtn6oj4", "$HOME"])
def test_a_secret_key_starting_with_a_dollar_is_taken_as_it_is(key):
    # django-environ reads "$NAME" as the variable NAME: "$HOME" was the home directory, and a
    # key from Django's generator that starts with "$" stopped the start as missing.
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SECRET_KEY)"
    result = run_production(["-c", code], DJANGO_SECRET_KEY=key)
    assert result.stdout.strip() == key, result.stderr


def test_an_empty_database_url_is_the_local_sqlite_file():
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.DATABASES['default']['NAME'])"
    env = {**os.environ, "DATABASE_URL": "", "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == str(PROJECT_ROOT / "db.sqlite3"), result.stderr
