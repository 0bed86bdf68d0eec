"""Error pages. A database outage is a 503 the visitor can retry, not a 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.views.defaults import server_error

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class DeleteThroughFormMixin:
    """For a DeleteView: deletes through its form (POST) only. Django's DeleteView also answers
    the DELETE method by deleting at once, past the form and its checks (a password, a service
    that must run with the deletion)."""

    http_method_names = ["get", "head", "options", "post"]


def method_not_allowed_page(request, refused, template_name="405.html"):
    """Django's 405 (`refused`, an empty body) as a page of the site, with the same Allow."""
    response = TemplateResponse(request, template_name, status=405)
    response["Allow"] = refused["Allow"]
    return response


def handle_server_error(request):
    # Django calls handler500 inside the except block, so the exception is still at hand.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        # Rendered without the request: its context processors would query the database again.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return server_error(request)
