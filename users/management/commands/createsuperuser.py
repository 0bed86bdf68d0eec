"""Django's createsuperuser, refusing a username or email address taken in any letter case.

Django looks the username up by an exact match and the email address not at all, so one taken
in another letter case reached the case-insensitive unique indexes: a traceback, after both
passwords had been typed.
"""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError
from django.db import IntegrityError

from users.forms import is_taken

EMAIL_TAKEN = "Error: That email address is already taken."


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        self.database = options["database"]
        email = options["email"]
        if not options["interactive"]:
            email = email or os.environ.get("DJANGO_SUPERUSER_EMAIL")
        if email and is_taken("email", email, using=self.database):
            raise CommandError(EMAIL_TAKEN)
        try:
            super().handle(*args, **options)
        except IntegrityError:  # taken meanwhile, by a sign-up at the same moment
            raise CommandError("That username or email address was taken meanwhile.") from None

    # Django's private hook for the username, asked again at the prompt when it returns an
    # error; tests/users/test_createsuperuser.py would see a Django release that drops it.
    def _validate_username(self, username, verbose_field_name, database):
        if username and is_taken(self.UserModel.USERNAME_FIELD, username, using=database):
            return f"Error: That {verbose_field_name} is already taken."
        return super()._validate_username(username, verbose_field_name, database)

    def get_input_data(self, field, message, default=None):
        value = super().get_input_data(field, message, default)
        if field.name == "email" and value and is_taken("email", value, using=self.database):
            self.stderr.write(EMAIL_TAKEN)
            return None  # asked again
        return value
