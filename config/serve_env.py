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
from urllib.parse import urlsplit

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


def shown(url):
    """`url` with its password, if any, as `***`: for the log, where the password must not go."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    # The last "@" ends the credentials, as URL parsers read them: a password may hold one.
    credentials, _, host = parts.netloc.rpartition("@")
    user = credentials.partition(":")[0]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or ["exports"]
    if command == "exports":
        print("\n".join(exports(arguments[0] if arguments else ".env")))
    elif command == "shown" and len(arguments) == 1:
        print(shown(arguments[0]))
    else:
        sys.exit(__doc__)
