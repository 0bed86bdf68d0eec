"""What every app's views share: the signed-in pages' mixin, the form pages' methods, and the
error pages. A database outage is a 503 the visitor can retry, not a 500; a refused method is
the site's 405 page, not an empty body."""

import sys

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error
from django_htmx.http import HttpResponseClientRedirect

from todos.services import AccountGone

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class FormPageMixin:
    """For a page with a form that is sent by POST: answers GET, POST, HEAD and OPTIONS only.

    Django's form views also take PUT, as a POST without its data (a page of "This field is
    required", where PATCH and DELETE get the 405), and its DeleteView answers DELETE by deleting
    at once, past the form and its checks (a password, a service that must run with the
    deletion).
    """

    http_method_names = ["get", "head", "options", "post"]


# One user's pages, changed in place by htmx and from other tabs: Back and Forward must fetch
# them again, not show them as first loaded (nor at all after logging out).
@method_decorator(never_cache, name="dispatch")
class SignedInMixin(LoginRequiredMixin):
    """LoginRequiredMixin for the pages of one user's data, and the actions sent from them.

    A signed-out visitor (a session that expired while the page stayed open, a logout in
    another tab) is sent to log in and then back: to the page asked for, but after a POST, or
    from an action that answers POST only, to `page_after_login()` (this page, unless a view
    says otherwise), with `signed_out_message` on the login page: the browser GETs `next`, and
    without a word the click or the form would seem to have gone nowhere. An htmx request gets
    HX-Redirect, so that the login page replaces the whole page instead of landing inside it.
    """

    signed_out_message = "You were logged out, so that was not saved. Log in to go on."
    account_gone_message = "Your account was deleted meanwhile, so that was not saved."
    account_gone_page_message = "Your account was deleted meanwhile."

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except AccountGone:
            # Deleted in another tab or by staff after this request found the user: what the
            # view wrote is rolled back with its service's transaction.
            logout(request)
            reading = request.method in ("GET", "HEAD")
            messages.info(
                request, self.account_gone_page_message if reading else self.account_gone_message
            )
            return self.whole_page(redirect(self.get_login_url()))

    def handle_no_permission(self):
        if self.raise_exception or self.request.user.is_authenticated:
            return super().handle_no_permission()  # PermissionDenied
        if self.request.method in ("GET", "HEAD") and hasattr(self, "get"):
            back_to = self.request.get_full_path()
        else:
            back_to = self.page_after_login()
            messages.info(self.request, self.signed_out_message)
        return self.whole_page(
            redirect_to_login(back_to, self.get_login_url(), self.get_redirect_field_name())
        )

    def whole_page(self, redirect_response):
        """`redirect_response` as HX-Redirect for htmx: the page it leads to replaces the whole
        page instead of landing inside the region htmx swaps."""
        if self.request.htmx:
            return HttpResponseClientRedirect(redirect_response.url)
        return redirect_response

    def page_after_login(self):
        return self.request.path


def method_not_allowed_page(request, refused, template_name="405.html"):
    """Django's 405 (`refused`, an empty body) as a page of the site, with the same Allow."""
    response = TemplateResponse(request, template_name, status=405)
    response["Allow"] = refused["Allow"]
    return response


class MethodNotAllowedPageMiddleware:
    """Gives every empty 405 (a visit to an action's address, a DELETE on a page) the site's
    405 page, whichever view refused it: Django's views and decorators answer with an empty
    body, which a browser shows as a blank page. A view that answers with its own page (the
    logout page) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            # Past the view, nothing renders a template response for us.
            return method_not_allowed_page(request, response).render()
        return response


def handle_server_error(request):
    # Django calls handler500 inside the except block, so the exception is still at hand.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        # Rendered without the request: its context processors would query the database again.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return server_error(request)
