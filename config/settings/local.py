"""Local development: debug pages, plain log lines (emails go to the console, as in base)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
