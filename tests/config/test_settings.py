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
