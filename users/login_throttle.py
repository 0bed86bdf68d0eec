"""What django-axes counts a login attempt under (settings.AXES_USERNAME_CALLABLE)."""

from django.conf import settings


def attempted_username(request, credentials=None):
    """The username of a login attempt in lower case, so that every spelling of one account
    ("alice", "Alice", "ALICE", which all log in as alice) shares its count of failures: five
    guesses per spelling would otherwise be 2^n tries for a name of n letters."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return username.lower() if isinstance(username, str) else username
