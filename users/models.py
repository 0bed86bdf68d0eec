from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower

MAX_AGE = 150


class CaseInsensitiveUserManager(UserManager):
    def ignoring_case(self, field_name, value):
        """The users whose `field_name` is `value` in any letter case. LOWER() on both sides is
        what the unique indexes hold (users_user_username_unique_ci, users_user_email_unique_ci),
        so the answer agrees with the database on every backend and comes from the index."""
        return self.alias(stored=Lower(field_name)).filter(stored=Lower(Value(value)))


class User(AbstractUser):
    """An account. Usernames and emails are unique whatever their letter case."""

    age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    city = models.CharField(max_length=100, blank=True)
    # Edited through users.forms.PreferencesForm (default_status, default_sort, page_size) and
    # read through todos.listing.list_defaults_for, which falls back on any bad value.
    preferences = models.JSONField(default=dict, blank=True)
    # Set by users.services.claim_password_reset_email: the reset form answers anyone, so it
    # mails an account at most once every PASSWORD_RESET_EMAIL_INTERVAL.
    password_reset_sent_at = models.DateTimeField(
        "password reset email sent", null=True, blank=True, editable=False
    )

    objects = CaseInsensitiveUserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age__isnull=True) | models.Q(age__gte=0, age__lte=MAX_AGE),
                name="users_user_age_between_0_and_150",
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="users_user_username_unique_ci",
                violation_error_message="A user with that username already exists.",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="users_user_email_unique_ci",
                violation_error_message="A user with that email already exists.",
            ),
        ]

    def __str__(self):
        return self.username

    def todo_counts(self):
        """How many of the user's todos are open and done, in one query."""
        counts = self.todos.counts()
        return {"open": counts["active"], "done": counts["completed"]}
