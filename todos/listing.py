"""The todo list's options: the values the URL, the user's preferences and the views share."""

from django.db import models

PAGE_SIZE_DEFAULT = 25
PAGE_SIZE_MIN = 10
PAGE_SIZE_MAX = 100


class ListStatus(models.TextChoices):
    ALL = "all", "All"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"


class ListSort(models.TextChoices):
    NEWEST = "-created", "Newest first"
    OLDEST = "created", "Oldest first"
    DUE = "due", "Due date, soonest first"
    DUE_DESC = "-due", "Due date, latest first"
    PRIORITY_DESC = "-priority", "Priority, highest first"
    PRIORITY = "priority", "Priority, lowest first"
    TITLE = "title", "Title, A to Z"
    TITLE_DESC = "-title", "Title, Z to A"


# Each sort ends with the primary key so that pages never overlap or skip rows.
SORT_ORDERINGS = {
    ListSort.NEWEST: ("-created_at", "-id"),
    ListSort.OLDEST: ("created_at", "id"),
    ListSort.DUE: (models.F("due_date").asc(nulls_last=True), "id"),
    ListSort.DUE_DESC: (models.F("due_date").desc(nulls_last=True), "-id"),
    ListSort.PRIORITY_DESC: ("-priority", "-id"),
    ListSort.PRIORITY: ("priority", "id"),
    ListSort.TITLE: ("title", "id"),
    ListSort.TITLE_DESC: ("-title", "-id"),
}
