"""How a login finds its account."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class CaseInsensitiveModelBackend(ModelBackend):
    """Django's model backend, finding the account by its username in any letter case: usernames
    are unique ignoring case (sign-up refuses "Alice" once alice exists), so "Alice" logs in as
    alice.

    Only logins: the manager's get_by_natural_key stays exact, so a fixture's "Alice" is not
    taken for alice (loaddata would write over that account, its password included).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None:
            account = User.objects.ignoring_case("username", username).first()
            if account is not None:
                username = account.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)
