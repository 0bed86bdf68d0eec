from typing import NamedTuple

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower

from todos.listing import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PAGE_SIZE_MIN, ListSort, ListStatus

MAX_AGE = 150


class TodoListDefaults(NamedTuple):
    """What the todo list shows when its URL does not say: a user's preferences, validated."""

    status: ListStatus
    sort: ListSort
    page_size: int


class User(AbstractUser):
    """An account. Usernames and emails are unique whatever their letter case."""

    age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    city = models.CharField(max_length=100, blank=True)
    # Validated by users.forms.PreferencesForm: default_status, default_sort, page_size.
    preferences = models.JSONField(default=dict, blank=True)

    objects = UserManager()

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

    def todo_list_defaults(self):
        """The user's preferred todo list filter, sort and page size.

        Each value is checked on its own, so one unknown or missing value (preferences can also
        be edited as raw JSON in the admin) falls back to the list's default without losing the
        others.
        """
        preferences = self.preferences if isinstance(self.preferences, dict) else {}
        status = preferences.get("default_status")
        sort = preferences.get("default_sort")
        page_size = preferences.get("page_size")
        # `type() is int` refuses True (a bool is an int to Python) and 25.0 from hand-written JSON.
        if type(page_size) is not int or not PAGE_SIZE_MIN <= page_size <= PAGE_SIZE_MAX:
            page_size = PAGE_SIZE_DEFAULT
        return TodoListDefaults(
            status=ListStatus(status) if status in ListStatus.values else ListStatus.ALL,
            sort=ListSort(sort) if sort in ListSort.values else ListSort.NEWEST,
            page_size=page_size,
        )

    def todo_counts(self):
        """How many of the user's todos are open and done, in one query."""
        return self.todos.aggregate(
            open=models.Count("pk", filter=models.Q(done=False)),
            done=models.Count("pk", filter=models.Q(done=True)),
        )
