"""htmx requests that fail: the page reloads, so the visitor sees what happened."""

from django.contrib import messages

# What the reloaded page says about the request that failed. A 403 is a CSRF token gone stale
# (a login in another tab rotates it); a 404, a todo deleted elsewhere (or never the user's:
# the same words, so they tell nothing about other users' todos).
RELOADED_BECAUSE = {
    403: "This page was out of date (you logged in again since it opened), so that was not "
    "saved. Here it is as it is now: please try again.",
    404: "That todo is no longer there (deleted in another tab or device?), so nothing was done. "
    "Here is the list as it is now.",
}
RELOADED_AFTER_A_SERVER_ERROR = (
    "Something went wrong on our side, so that may not have been saved. Here is the page as it "
    "is now."
)


class HtmxErrorRefreshMiddleware:
    """Answers a failed htmx request (4xx or 5xx) with HX-Refresh, which reloads the page.

    htmx swaps nothing on an error, so without it a click on a todo deleted in another tab (a
    404), a form whose CSRF token went stale at a new login (a 403) or an outage (a 503) did
    nothing at all. After the reload the visitor sees the list as it is now, with a message
    saying why (`RELOADED_BECAUSE`), or the error page. Must come after django_htmx's
    HtmxMiddleware, which tells htmx requests apart, and inside MessageMiddleware, which stores
    the message for the reload.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if request.htmx and status >= 400 and not response.has_header("HX-Redirect"):
            response["HX-Refresh"] = "true"
            if status >= 500:
                messages.error(request, RELOADED_AFTER_A_SERVER_ERROR)
            elif status in RELOADED_BECAUSE:
                messages.error(request, RELOADED_BECAUSE[status])
        return response
