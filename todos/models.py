import json
import string

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from .validators import validate_visible

TITLE_MAX_LENGTH = 200
# Several pages of text; the forms refuse more (the database column takes any length).
DESCRIPTION_MAX_LENGTH = 10_000
TAG_NAME_MAX_LENGTH = 50
# Every page lists a user's tags by name ignoring letter case, as the database's LOWER() folds
# it: one user's tags never tie there (their unique index), other users' tie-break by key.
TAG_ORDER = (Lower("name"), "pk")
# Titles sort ignoring letter case too (todo_owner_title_ci_idx): "apple" beside "Apple".
TITLE_ORDER = Lower("title")
# SQLite's LOWER(): A to Z only.
_SQLITE_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class TagQuerySet(models.QuerySet):
    def for_user(self, user):
        """Tags owned by `user`; every view reads tags through here."""
        return self.filter(owner=user)

    def named(self, name):
        """Tags called `name`, whatever its letter case (served by the unique index).

        The database lowers both sides, as the unique index does: Python's str.lower() folds
        more than SQL's LOWER() (SQLite's folds ASCII only), and where they differ a tag the
        index calls a duplicate would not be found.
        """
        return self.alias(name_lower=Lower("name")).filter(name_lower=Lower(models.Value(name)))

    def named_any(self, names):
        """Tags called any of `names`, whatever their letter case (as `named`)."""
        return self.alias(name_lower=Lower("name")).filter(
            name_lower__in=[Lower(models.Value(name)) for name in names]
        )

    def with_todo_counts(self):
        """Each tag with `open_count` and `done_count`: how many of its todos are open and done."""
        return self.annotate(
            open_count=models.Count("todos", filter=models.Q(todos__done=False)),
            done_count=models.Count("todos", filter=models.Q(todos__done=True)),
        )


class TagManager(models.Manager.from_queryset(TagQuerySet)):
    def get_by_natural_key(self, owner_username, name):
        return self.get(owner__username=owner_username, name=name)


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH, validators=[validate_visible])

    objects = TagManager()

    class Meta:
        ordering = TAG_ORDER
        indexes = [
            # The admin's tag list: everyone's tags by name.
            models.Index(fields=["name", "id"], name="tag_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                "owner",
                Lower("name"),
                name="todos_tag_name_unique_per_owner_ci",
                violation_error_message="You already have a tag with that name.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0), name="todos_tag_name_not_blank"
            ),
            # The todo form takes tags as comma-separated names: a comma would split this one.
            models.CheckConstraint(
                condition=~models.Q(name__contains=","),
                name="todos_tag_name_no_comma",
                violation_error_message="Tag names cannot contain commas.",
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.owner.username, self.name)

    natural_key.dependencies = ["users.user"]


class TagNameListField(models.Field):
    """The output of `TagNames`: a list of tag names."""

    def from_db_value(self, value, expression, connection):
        if isinstance(value, str):
            # SQLite's JSON array, in no set order: sorted as TAG_ORDER sorts there (its LOWER()
            # folds A to Z only; its BINARY collation compares code points).
            return sorted(json.loads(value), key=lambda name: name.translate(_SQLITE_LOWER))
        return value  # PostgreSQL's array, already in order


class TagNames(models.Subquery):
    """The names of a todo's tags in TAG_ORDER, as one column of the todo's own row.

    PostgreSQL builds an array, SQLite a JSON array; other databases are not supported.
    """

    output_field = TagNameListField()

    def __init__(self):
        names = Tag.objects.filter(todos=models.OuterRef("pk")).order_by(*TAG_ORDER)
        names = names.values("name")
        super().__init__(names)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="ARRAY(%(subquery)s)", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(SELECT json_group_array(name) FROM (%(subquery)s))"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _status_counts():
    return {
        "active": models.Count("pk", filter=models.Q(done=False)),
        "completed": models.Count("pk", filter=models.Q(done=True)),
    }


class TodoQuerySet(models.QuerySet):
    def for_user(self, user):
        """Todos owned by `user`; every view reads todos through here."""
        return self.filter(owner=user)

    def active(self):
        return self.filter(done=False)

    def completed(self):
        return self.filter(done=True)

    def search(self, query):
        """Todos whose title or description contains `query`, ignoring letter case."""
        if not query:
            return self
        return self.filter(
            models.Q(title__icontains=query) | models.Q(description__icontains=query)
        )

    def with_tag(self, name, owner=None):
        """Todos tagged `name`, ignoring letter case.

        Pass `owner` when these are one user's todos: the database then finds the tag once
        through its unique index and follows its links. Without it, the tag is looked up for
        each todo's owner, row by row (on PostgreSQL, 20x slower for a user's 20,000 todos).
        """
        tags = Tag.objects.named(name)
        if owner is None:
            return self.filter(tags__in=tags.filter(owner=models.OuterRef("owner")))
        return self.filter(tags__in=tags.filter(owner=owner))

    def with_tag_list(self):
        """These todos with `tag_list`: each one's tags in TAG_ORDER, as a plain list.

        One query for all of them, as prefetch_related("tags") runs, but without building a
        related manager and a queryset per todo: a fifth of a 25-todo list page's time.
        """
        return self.prefetch_related(models.Prefetch("tags", to_attr="tag_list"))

    def with_tag_names(self):
        """These todos with `tag_names`: each one's tag names, read in the same query.

        For a single todo: no second query and no Tag objects (a quarter less CPU a page). Not
        for a page of a list: the database reads the tags of every row it passes, OFFSET rows
        included (7,500 lookups for page 300), where `with_tag_list` reads only the page's.
        """
        return self.annotate(tag_names=TagNames())

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.active().filter(due_date__lt=today)

    def counts(self):
        """How many of these todos are active and completed, counted by the database at once."""
        return self.aggregate(**_status_counts())

    def with_counts(self):
        """These todos, each with the counts of all of them: `active_count`, `completed_count`.

        Window counts: the database counts in the same pass as it reads the rows, so that a
        slice of these todos also gives the counts of the whole set.
        """
        counts = _status_counts().items()
        return self.annotate(**{f"{name}_count": models.Window(count) for name, count in counts})

    def update_with_new_version(self, now=None, **values):
        """UPDATE these todos with `values`; returns how many changed.

        As every change to a todo does, each row gets a new version (what edit forms check) and
        `updated_at` (`now`).
        """
        return self.update(
            **values, version=models.F("version") + 1, updated_at=now or timezone.now()
        )

    def mark_changed(self):
        """Give these todos a new version and `updated_at`, for a change made through their tags.

        Renaming, merging or deleting a tag changes the tags of its todos: an edit form opened
        before then must meet a version conflict, not write the old tag names back.
        """
        return self.update_with_new_version()

    def set_done(self, done):
        """Mark these todos done (or not) in one UPDATE; returns how many changed.

        Only rows not already in that state are touched, so a repeated request changes
        nothing; each changed row gets a new version and keeps completed_at consistent.
        """
        now = timezone.now()
        return self.exclude(done=done).update_with_new_version(
            now, done=done, completed_at=now if done else None
        )


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"


class Todo(models.Model):
    Priority = Priority

    # No index of its own: todo_owner_created_idx starts with the owner and serves every lookup
    # by owner. A second, narrower one cost every insert and misled the planner into sorting a
    # user's whole list for deep pages instead of reading it in order from the composite index.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos", db_index=False
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH, validators=[validate_visible])
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    done = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority, default=Priority.NORMAL)
    # A default rather than auto_now_add, so seeding and fixtures can set a past date.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every write; the edit form sends back the version it loaded to detect conflicts.
    version = models.PositiveIntegerField(default=1, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="todos")
    # Sent by the form that created it: the same form sent again (a double click without
    # JavaScript) finds this todo instead of adding a second. Seeded and fixture rows have none.
    idempotency_key = models.UUIDField(null=True, editable=False)

    objects = TodoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list page: one user's todos, newest first, optionally by status.
            models.Index(fields=["owner", "-created_at", "-id"], name="todo_owner_created_idx"),
            models.Index(
                fields=["owner", "done", "-created_at", "-id"], name="todo_owner_done_created_idx"
            ),
            models.Index(fields=["owner", "due_date", "id"], name="todo_owner_due_idx"),
            models.Index(fields=["owner", "priority", "id"], name="todo_owner_priority_idx"),
            models.Index(
                models.F("owner"), TITLE_ORDER, models.F("id"), name="todo_owner_title_ci_idx"
            ),
            # The admin changelist: everyone's todos, newest first.
            models.Index(fields=["-created_at", "-id"], name="todo_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="todos_todo_title_not_blank"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("title"), TITLE_MAX_LENGTH),
                name="todos_todo_title_at_most_200_chars",
            ),
            models.CheckConstraint(
                condition=models.Q(done=True, completed_at__isnull=False)
                | models.Q(done=False, completed_at__isnull=True),
                name="todos_todo_completed_at_set_iff_done",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="todos_todo_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="todos_todo_version_positive"
            ),
            # Partial: the rows without a key (seeded, loaded, older) cost it nothing.
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="todos_todo_idempotency_key_unique_per_owner",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("todos:detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self):
        return not self.done and self.due_date is not None and self.due_date < timezone.localdate()

    def holds(self, values, tag_names):
        """Whether this todo, as stored, has `values` (field name: value) and the tags
        `tag_names`, these ignoring letter case as saving them does (an existing tag keeps its
        spelling): what a form sent twice finds."""
        if any(getattr(self, name) != value for name, value in values.items()):
            return False
        stored = sorted(tag.name.lower() for tag in self.tags.all())
        return stored == sorted(name.lower() for name in tag_names)

    def set_done(self, done):
        """Mark done or not, keeping completed_at consistent (the check constraint insists)."""
        self.done = done
        self.completed_at = timezone.now() if done else None
