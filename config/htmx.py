"""htmx requests that fail: the page reloads, so the visitor sees what happened."""


class HtmxErrorRefreshMiddleware:
    """Answers a failed htmx request (4xx or 5xx) with HX-Refresh, which reloads the page.

    htmx swaps nothing on an error, so without it a click on a todo deleted in another tab (a
    404), a form whose CSRF token went stale at a new login (a 403) or an outage (a 503) did
    nothing at all. After the reload the visitor sees the list as it is now, or the error page.
    Must come after django_htmx's HtmxMiddleware, which tells htmx requests apart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.htmx and response.status_code >= 400 and not response.has_header("HX-Redirect"):
            response["HX-Refresh"] = "true"
        return response
