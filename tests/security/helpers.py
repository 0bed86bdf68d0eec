"""What the security tests share: URL enumeration, object URLs, a CSRF token, a password."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# A password the validators accept, for forms that set one.
NEW_PASSWORD = "a-fresh-passphrase-2026"


def object_url(name, target, objects):
    """The URL `name` of the object `objects[target]`, or of no object when `target` is None."""
    return reverse(name, args=[objects[target].pk] if target else [])


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
