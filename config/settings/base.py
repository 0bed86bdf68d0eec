"""Settings shared by every environment. Only config/settings/ reads the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def verbatim(name, default=""):
    """The variable exactly as set. django-environ reads a value that starts with `$` as the
    name of another variable to read instead: a secret key from Django's generator starts
    with one about once in fifty."""
    return env.ENVIRON.get(name, default)


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = verbatim(
    "DJANGO_SECRET_KEY", default="insecure-local-development-key-never-used-in-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])


def requests_in_transactions(database):
    """`database` with each request in one transaction; on SQLite, waiting its turn to write.

    SQLite writes one transaction at a time. By default a transaction reads first and asks to
    write later, and when another holds the write lock by then, SQLite fails at once ("database
    is locked": a 500 for a double-clicked button). IMMEDIATE asks at the start, so a request
    waits its turn (up to the 5 s timeout) instead.
    """
    database["ATOMIC_REQUESTS"] = True
    if database.get("ENGINE") == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    return database


# The databases the project runs and is tested on.
KNOWN_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def database_from_url(url):
    """The database a URL names (postgres://user@host:5432/name, sqlite:///path), or a stop
    that says what is wrong with it, instead of a traceback from the first query."""
    try:
        database = env.db_url_config(url)
    except ValueError as error:  # a port out of range, say
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    engine = database.get("ENGINE")
    if engine and engine not in KNOWN_ENGINES:
        raise ImproperlyConfigured(
            f"DATABASE_URL names a database this project does not run on ({engine}): "
            "use PostgreSQL or SQLite."
        )
    if not engine or not database.get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL is not a database URL (postgres://user@host:5432/name, sqlite:///path)."
        )
    return requests_in_transactions(database)


# Databases: SQLite file by default, any database by URL. Set but empty counts as not set, as
# `make serve` takes it.
DATABASES = {
    "default": database_from_url(
        verbatim("DATABASE_URL").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # First, so that its createsuperuser (which knows usernames and addresses are unique in
    # any letter case) is the one manage.py runs: the first app with a command name wins.
    "users",
    "config.admin.TodosAdminConfig",  # django.contrib.admin, with config.admin.TodosAdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "todos",
]

MIDDLEWARE = [
    "config.request_context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.htmx.HtmxErrorRefreshMiddleware",
    # Inside the above: its 405 page has the signed-in header, and a refused htmx request
    # still reloads.
    "config.views.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: it reads the outcome of the authentication above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(f"DJANGO_ADMIN_URL must look like 'admin/', not {ADMIN_URL!r}.")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# A form sent back with errors opens on its first field in error.
FORM_RENDERER = "config.forms.FormRenderer"

# Accounts
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "todos:list"
LOGOUT_REDIRECT_URL = "users:login"
AUTHENTICATION_BACKENDS = [
    # Throttles logins before the model backend checks the password.
    "axes.backends.AxesStandaloneBackend",
    # Django's, finding the account by its username in any letter case.
    "users.backends.CaseInsensitiveModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): 5 failures for one username from one address lock that
# pair out for 15 minutes; a successful login clears the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# 15 minutes from the lock, however often someone tries meanwhile (axes restarts them by default).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address is the visitor's, behind DJANGO_TRUSTED_PROXIES reverse proxies too (each must
# append to X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does): config.proxies.
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_ip"
# A username logs in in any letter case (users.backends), so every spelling of it shares one
# count of failures: counted under the account's own.
AXES_USERNAME_CALLABLE = "users.login_throttle.attempted_username"
try:
    TRUSTED_PROXIES = env.int("DJANGO_TRUSTED_PROXIES", default=0)
except ValueError:
    TRUSTED_PROXIES = -1
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXIES must be a number of proxies: 0, 1, 2...")
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
# A failed attempt stores the POST: the password change's and profile's fields hold passwords too.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "current_password",
    "old_password",
    "new_password1",
    "new_password2",
]

# Sessions live in the database so every app server sees them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="todos@localhost")

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Browsers may load scripts, styles, images and fonts from the app's own origin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# One JSON object per line on stdout, each with the request id; request lines come from
# config.request_context.RequestIdMiddleware, which never logs secrets in paths.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.request_context.RequestIdFilter"},
        "secret_paths": {"()": "config.request_context.SecretPathFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "secret_paths"],
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request middleware logs every request once; Django's own 4xx lines would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # A request with a Host not allowed gets a 400, which the request line shows; Django
        # would also log each one at ERROR with a traceback (scanners send many).
        # (A logger with no handler at all would print through logging's last resort.)
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}
