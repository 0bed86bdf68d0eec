"""Two app servers on two ports share one PostgreSQL: sessions and lockouts hold on both."""

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from tests.config.test_settings import production_environment
from tests.factories import DEFAULT_PASSWORD, UserFactory

PROJECT_ROOT = settings.BASE_DIR
REDIS_URL = "redis://127.0.0.1:6379/9"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("scale-out needs a database server both app servers reach (run on PostgreSQL)")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """Production pages need the collected static files' manifest."""
    root = tmp_path_factory.mktemp("static")
    env = production_environment(DJANGO_STATIC_ROOT=str(root))
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )
    return root


@contextmanager
def app_server(cache_url, static_root):
    port = free_port()
    env = production_environment(
        DATABASE_URL=database_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="false",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        DJANGO_LOG_LEVEL="WARNING",
        CACHE_URL=cache_url,
        DJANGO_STATIC_ROOT=str(static_root),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the app server did not start within 20 seconds")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def production_user():
    """A user whose password hash the production hashers can check (tests hash with MD5)."""
    user = UserFactory()
    user.password = make_password(DEFAULT_PASSWORD, hasher="argon2")
    user.save(update_fields=["password"])
    return user


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, no redirects followed."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, base, username, password):
        _, page = self.request(f"{base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        return self.request(f"{base}/accounts/login/", form)


@pytest.fixture(params=[None, REDIS_URL], ids=["database", "redis"])
def two_servers(request, static_root):
    if request.param:
        import redis

        redis.Redis.from_url(request.param).flushdb()
    with ExitStack() as stack:
        yield [stack.enter_context(app_server(request.param, static_root)) for _ in range(2)]


def test_a_session_made_on_one_server_is_valid_on_the_other(two_servers):
    first, second = two_servers
    user = production_user()
    browser = Browser()
    status, _ = browser.log_in(first, user.username, DEFAULT_PASSWORD)
    assert status == HTTPStatus.FOUND
    status, page = browser.request(f"{second}/todos/")
    assert status == HTTPStatus.OK
    assert user.username in page


def test_a_lockout_on_one_server_holds_on_the_other(two_servers):
    first, second = two_servers
    user = production_user()
    for _ in range(5):
        status, _ = Browser().log_in(first, user.username, "wrong password")
    status, page = Browser().log_in(second, user.username, DEFAULT_PASSWORD)
    assert status == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many failed attempts" in page
