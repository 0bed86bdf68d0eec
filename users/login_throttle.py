"""What django-axes counts a login attempt under (settings.AXES_USERNAME_CALLABLE)."""

from django.conf import settings

from .models import User


def attempted_username(request, credentials=None):
    """The username of the account a login attempt is for, as stored, whatever letter case it
    was typed in, so that every spelling of one account (which all log in,
    users.backends.CaseInsensitiveModelBackend) shares its count of failures: five guesses per
    spelling would be 2^n tries for a name of n letters. Stored as the account spells it, the
    count is what a password reset or `axes_reset_username` lifts. A name no account has is
    counted as typed.

    The database finds the account, as at login: its LOWER() and Python's lower() differ ("İ").
    Axes asks several times an attempt; the request keeps the answer.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None:
        typed = credentials.get(field)
    else:
        typed = getattr(request, "data", request.POST).get(field)
    if not isinstance(typed, str):
        return typed
    known = vars(request).setdefault("_throttled_usernames", {}) if request is not None else {}
    if typed not in known:
        account = User.objects.ignoring_case("username", typed).first()
        known[typed] = account.get_username() if account else typed
    return known[typed]
