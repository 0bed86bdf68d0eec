"""The variables a .env file sets and the environment does not, as shell exports.

`make serve` evaluates them before filling in its defaults: the shell then sees what the
settings see, since django-environ (which the settings read .env with) also leaves variables
already set alone. Sourcing .env as a shell script did not: there a space, `<`, `&` or `$` in a
value ("Todos <todos@example.com>", a query string, a password) is shell syntax.

    python -m config.env_exports [path]    # .env by default; nothing if there is no such file
"""

import os
import shlex
import sys

import environ


class FileOnlyEnv(environ.Env):
    """django-environ's reading of a .env file, into a dict of its own, not os.environ."""

    ENVIRON = {}


def exports(path):
    """`export NAME='value'` lines for the variables `path` sets that the environment lacks."""
    if not os.path.isfile(path):
        return []
    FileOnlyEnv.ENVIRON = {}
    FileOnlyEnv.read_env(path)
    return [
        f"export {name}={shlex.quote(value)}"
        for name, value in FileOnlyEnv.ENVIRON.items()
        if name not in os.environ
    ]


if __name__ == "__main__":
    print("\n".join(exports(sys.argv[1] if len(sys.argv) > 1 else ".env")))
