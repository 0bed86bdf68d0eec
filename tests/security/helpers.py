"""What the security tests share: URL enumeration, database snapshots, a CSRF token."""

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Every table a request could write: ours, sessions, login attempts and the admin's log.
SNAPSHOT_APPS = ("users", "todos", "auth", "sessions", "axes", "admin")


def database_snapshot():
    """Every row of every table a request could write, to compare before and after."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def url_patterns(namespaces):
    """{"namespace:name": view class (or function)} of every URL pattern in `namespaces`."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in namespaces:
                callback = pattern.callback
                found[f"{namespace}:{pattern.name}"] = getattr(callback, "view_class", callback)

    walk(get_resolver().url_patterns, None)
    return found


def accepts_post(view):
    """Whether a view answers POST: a class-based view with `post` allowed, or any function."""
    if not isinstance(view, type):
        return True
    return "post" in view.http_method_names and hasattr(view, "post")


def csrf_token(client):
    """The token a browser would send: the one a form page gives this client's session."""
    client.get(reverse("users:password_reset"))
    return client.cookies["csrftoken"].value
