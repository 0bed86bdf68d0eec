import json
import os
import subprocess
import sys

from django.conf import settings

from tests.config.test_settings import production_environment

PROJECT_ROOT = settings.BASE_DIR
PRINT_EMAIL_SETTINGS = (
    "import json; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND,"
    " s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS]))"
)


def email_settings(env):
    result = subprocess.run(
        [sys.executable, "-c", PRINT_EMAIL_SETTINGS],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_production_sends_email_through_the_smtp_server_in_email_url():
    backend, host, port, user, password, use_tls = email_settings(
        production_environment(EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example.com:587")
    )
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (host, port, user, password, use_tls) == (
        "smtp.example.com",
        587,
        "mailer",
        "s3cret",
        True,
    )


def test_local_development_prints_email_to_the_console():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    backend, *_ = email_settings({**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"})
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_tests_keep_email_in_memory():
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
