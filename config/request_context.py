"""The request id: read or made per request, put on every log record and on the response."""

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import SimpleLazyObject

request_id_var = contextvars.ContextVar("request_id", default="-")

# A proxy's X-Request-ID is kept only if it is a plain token, so logs cannot be forged through it.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Password-reset links carry secrets: logged as their pattern, never the values, whether a route
# matched them or not (a missing slash, a 404) and in messages Django logs itself (a 500 or 503
# on one). users/urls.py serves them as reset/<uidb64>/<token>/.
SECRET_PATH = re.compile(r"/reset/[^/\s'\"]+/[^/\s'\"]+")
SECRET_PATH_SHOWN = "/reset/<uidb64>/<token>"

request_logger = logging.getLogger("config.requests")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class SecretPathFilter(logging.Filter):
    """Masks password-reset links in any record: its message, and the request Django attaches."""

    def filter(self, record):
        message = record.getMessage()
        if SECRET_PATH.search(message):
            record.msg, record.args = SECRET_PATH.sub(SECRET_PATH_SHOWN, message), ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = f"{request.method} {loggable_path(request)}"
        return True


class RequestIdMiddleware:
    """Tags the request with an id, logs one structured line per request, echoes the id back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": loggable_path(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": loaded_user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def loaded_user_id(request):
    """The user's id if the request already loaded the user, without a query of its own.

    Asking request.user here would read the session and the user for every request, static
    files included, and fail outside the 503 handling while the database is down.
    """
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):  # not replaced by login() or logout()
        user = request.__dict__.get("_cached_user")  # set by django.contrib.auth.get_user
    return getattr(user, "pk", None)


def loggable_path(request):
    """The path, with any secret in it replaced by its place in the URL pattern."""
    return SECRET_PATH.sub(SECRET_PATH_SHOWN, request.path)
