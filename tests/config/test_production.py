"""Production hardening: deploy checks, headers, error pages, the 503 on database outages, logs."""

import json
import logging
import re
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from config.request_context import RequestIdMiddleware
from config.views import handle_server_error
from tests.config.test_settings import run_production


def production_setting(name, **overrides):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps(settings.{name}))"
    )
    result = run_production(["-c", code], **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deploy_check_passes_at_warning_level():
    result = run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "https_on", "https_off"),
    [
        ("SECURE_SSL_REDIRECT", True, False),
        ("SESSION_COOKIE_SECURE", True, False),
        ("CSRF_COOKIE_SECURE", True, False),
        ("SECURE_HSTS_SECONDS", 31536000, 0),
    ],
)
def test_https_settings_are_on_by_default_and_off_together(name, https_on, https_off):
    assert production_setting(name) == https_on
    assert production_setting(name, DJANGO_HTTPS="false") == https_off


def test_redis_cache_url_shares_sessions_and_lockouts_through_redis():
    assert production_setting("SESSION_ENGINE", CACHE_URL="redis://127.0.0.1:6379/0") == (
        "django.contrib.sessions.backends.cached_db"
    )
    assert production_setting("AXES_HANDLER", CACHE_URL="redis://127.0.0.1:6379/0") == (
        "axes.handlers.cache.AxesCacheHandler"
    )


@pytest.mark.django_db
def test_responses_carry_the_security_headers(client):
    response = client.get(reverse("users:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get(reverse("users:login"), headers={"X-Request-ID": "edge-1234abcd"})
    assert response["X-Request-ID"] == "edge-1234abcd"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forged",
    ['x" injected', "edge-1234abcd\n", "edge-1234abcd\nlevel=ERROR", "short", "a" * 65],
    ids=["quote", "trailing newline", "newline", "too short", "too long"],
)
def test_a_forged_request_id_is_replaced_by_a_new_one(client, forged):
    response = client.get(reverse("users:login"), headers={"X-Request-ID": forged})
    assert response.status_code == HTTPStatus.OK
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_404_page_extends_the_layout_and_leaks_nothing(client):
    response = client.get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    content = response.content.decode()
    assert "Page not found" in content
    assert "css/app.css" in content
    assert "Traceback" not in content
    assert "urlpatterns" not in content


def test_server_error_page_is_the_generic_500(rf):
    try:
        raise ValueError("secret detail")
    except ValueError:
        response = handle_server_error(rf.get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert b"Something went wrong" in response.content
    assert b"secret detail" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_outage_gives_a_friendly_503(user, error):
    # OperationalError: the server is gone; InterfaceError: the connection was closed under us.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    with mock.patch("todos.views.TodoListView.get", side_effect=error("down")):
        response = client.get(reverse("todos:list"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "5"
    assert b"Temporarily unavailable" in response.content
    assert b"down" not in response.content


@pytest.mark.django_db
def test_request_log_line_has_the_request_id_and_no_secrets(client, user, password, caplog):
    with caplog.at_level(logging.INFO, logger="config.requests"):
        response = client.post(
            reverse("users:login"), {"username": user.username, "password": password}
        )
    [record] = [r for r in caplog.records if r.name == "config.requests"]
    assert record.request_id == response["X-Request-ID"]
    assert (record.method, record.path, record.status) == ("POST", "/accounts/login/", 302)
    assert record.user_id == user.pk  # the user the request logged in
    logged = json.dumps(record.__dict__, default=str)
    assert password not in logged
    assert client.cookies["sessionid"].value not in logged


@pytest.mark.django_db
def test_a_refused_csrf_token_gets_the_sites_own_403_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("todos:create"), {"title": "No token"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    content = response.content.decode()
    assert "This form has expired" in content
    assert "css/app.css" in content


def test_templates_are_compiled_once_per_process():
    """DEBUG off gives Django's cached template loader: nothing is parsed per request."""
    code = (
        "import django; django.setup(); from django.template import engines; "
        "print(engines['django'].engine.loaders[0][0])"
    )
    result = run_production(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.template.loaders.cached.Loader"


def test_the_request_log_never_loads_the_user_itself(rf, caplog):
    # Loading it would cost every request a session and user query, and raise outside the 503
    # handling while the database is down.
    def database_down():
        raise OperationalError("down")

    request = rf.get("/static/css/app.css")
    request.user = SimpleLazyObject(database_down)
    middleware = RequestIdMiddleware(lambda request: HttpResponse("ok"))
    with caplog.at_level(logging.INFO, logger="config.requests"):
        response = middleware(request)
    assert response.status_code == HTTPStatus.OK
    [record] = [r for r in caplog.records if r.name == "config.requests"]
    assert record.user_id is None


@pytest.mark.django_db
def test_the_request_log_names_the_signed_in_user(user_client, user, caplog):
    with caplog.at_level(logging.INFO, logger="config.requests"):
        user_client.get(reverse("todos:list"))
    [record] = [r for r in caplog.records if r.name == "config.requests"]
    assert record.user_id == user.pk
