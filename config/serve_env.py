"""What `make serve` asks of Python: the variables of .env as shell exports, and a database URL
fit to print.

    python -m config.serve_env exports [path]   # .env by default; nothing if there is no file
    python -m config.serve_env shown URL        # the URL with its password masked

The exports come before the Makefile fills in its defaults, so the shell sees what the settings
see: django-environ, which the settings read .env with, leaves variables already set alone.
Sourcing .env as a shell script did not: there a space, `<`, `&` or `$` in a value ("Todos
<todos@example.com>", a query string, a password) is shell syntax.
"""

import os
import shlex
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit

import environ


class FileOnlyEnv(environ.Env):
    """django-environ's reading of a .env file, into a dict of its own, not os.environ."""

    ENVIRON = {}


def exports(path):
    """`export NAME='value'` lines for the variables `path` sets that the environment lacks.

    A name the shell cannot take (django-environ reads `1BAD=x`) is left out, as the settings
    could not read it either.
    """
    if not os.path.isfile(path):
        return []
    FileOnlyEnv.ENVIRON = {}
    FileOnlyEnv.read_env(path)
    return [
        f"export {name}={shlex.quote(value)}"
        for name, value in FileOnlyEnv.ENVIRON.items()
        if name.isidentifier() and name not in os.environ
    ]


# Query options that hold a secret: django-environ passes them to the driver as they are.
SECRET_OPTIONS = frozenset({"password", "sslpassword"})


def shown(url):
    """`url` with its password, if any, as `***`: for the log, where the password must not go.

    The password may be in the credentials or an option of the query string.
    """
    parts = original = urlsplit(url)
    if parts.password is not None:
        # The last "@" ends the credentials, as URL parsers read them: a password may hold one.
        credentials, _, host = parts.netloc.rpartition("@")
        user = credentials.partition(":")[0]
        parts = parts._replace(netloc=f"{user}:***@{host}")
    options = parse_qsl(parts.query, keep_blank_values=True)
    if any(name.lower() in SECRET_OPTIONS for name, _ in options):
        options = [
            (name, "***" if name.lower() in SECRET_OPTIONS else value) for name, value in options
        ]
        parts = parts._replace(query=urlencode(options, safe="*"))
    # Rebuilt only when masked: geturl() drops the empty host of sqlite:////path.
    return url if parts == original else parts.geturl()


if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or ["exports"]
    if command == "exports":
        print("\n".join(exports(arguments[0] if arguments else ".env")))
    elif command == "shown" and len(arguments) == 1:
        print(shown(arguments[0]))
    else:
        sys.exit(__doc__)
