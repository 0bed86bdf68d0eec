"""Production: every secret comes from the environment and none has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import database_from_url, env, verbatim

# EMAIL_URL too: a console fallback would print password-reset links into the logs.
REQUIRED_VARIABLES = ("DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "EMAIL_URL")
_missing = [name for name in REQUIRED_VARIABLES if not verbatim(name).strip()]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings need {', '.join(_missing)} in the environment (see .env.example)."
    )


def strict_bool(name, default):
    """A yes-or-no variable: true/false, yes/no, on/off or 1/0; anything else stops the start.

    django-environ reads any other value as False, so a typo would turn a safeguard off.
    """
    value = env.str(name, default=str(default)).strip().lower()
    if value in {"true", "yes", "on", "1"}:
        return True
    if value in {"false", "no", "off", "0"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


DEBUG = False
SECRET_KEY = verbatim("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in env.list("DJANGO_ALLOWED_HOSTS") if host.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS names no host: every request would get 400.")
DATABASES = {"default": database_from_url(verbatim("DATABASE_URL").strip())}
try:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
except ValueError:
    raise ImproperlyConfigured("DJANGO_CONN_MAX_AGE must be a number of seconds.") from None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast while the database is down so visitors get the 503 page, not a hang.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3

# Sessions and the login-throttle state must be shared by every app server: in the database by
# default, in Redis when CACHE_URL points at one (the database keeps a copy of each session).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":  # noqa: F405
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"

# whitenoise serves the hashed, compressed static files right after SecurityMiddleware.
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1  # noqa: F405
MIDDLEWARE.insert(_after_security, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_CONFIG = env.email("EMAIL_URL")
vars().update(EMAIL_CONFIG)
# A mail server that stops answering must not hold a worker: SMTP waits this long, not forever.
EMAIL_TIMEOUT = 10

# HTTPS hardening; DJANGO_HTTPS=false turns the HTTPS-only parts off together (plain http).
HTTPS = strict_bool("DJANGO_HTTPS", default=True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
