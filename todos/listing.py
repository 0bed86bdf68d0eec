"""The todo list's options: the values the URL, the user's preferences and the views share."""

from dataclasses import dataclass

from django.db import models
from django.http import QueryDict
from django.urls import reverse

from .models import TAG_NAME_MAX_LENGTH, TITLE_ORDER

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
    ListSort.TITLE: (TITLE_ORDER, "id"),
    ListSort.TITLE_DESC: (TITLE_ORDER.desc(), "-id"),
}

# Past any list's end, so the last page is shown; the bound keeps the rows' offset within the
# 64-bit integers databases take.
PAGE_NUMBER_MAX = 10**9

# Longer searches are cut: an unbounded LIKE pattern only costs time.
SEARCH_MAX_LENGTH = 200

# The query parameters the list page reads; the actions on the page pass them along so that
# they act on, and come back to, the list as the user sees it.
LIST_PARAMETERS = ("status", "q", "tag", "sort", "page", "per_page")


def _choice(value, choices, default):
    return value if value in choices.values else default


def is_page_size(value):
    """Whether `value` is a page size the list takes: an integer from 10 to 100."""
    # type() rather than isinstance(): JSON true is an int to Python, not a page size.
    return type(value) is int and PAGE_SIZE_MIN <= value <= PAGE_SIZE_MAX


def _page_size(value, default):
    """A page size from the URL or the preferences; anything but 10-100 gives `default`."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        value = int(value)
    return value if is_page_size(value) else default


def _text(value, max_length):
    # PostgreSQL refuses NUL in text, so it never reaches a query.
    return value.replace("\x00", "").strip()[:max_length]


@dataclass(frozen=True)
class ListDefaults:
    status: str = ListStatus.ALL
    sort: str = ListSort.NEWEST
    per_page: int = PAGE_SIZE_DEFAULT


def list_defaults_for(user):
    """The list options `user` chose in their preferences, each falling back on its own.

    Preferences are a JSON object edited elsewhere; a missing, unknown or badly typed value
    must never break the list, so every key is checked here.
    """
    preferences = getattr(user, "preferences", None)
    if not isinstance(preferences, dict):
        preferences = {}
    defaults = ListDefaults()
    return ListDefaults(
        status=_choice(preferences.get("default_status"), ListStatus, defaults.status),
        sort=_choice(preferences.get("default_sort"), ListSort, defaults.sort),
        per_page=_page_size(preferences.get("page_size"), defaults.per_page),
    )


@dataclass(frozen=True)
class ListOptions:
    """What the list shows: read from the query string, which overrides the user's defaults.

    Unknown or malformed values fall back to the default instead of failing.
    """

    status: str = ListStatus.ALL
    sort: str = ListSort.NEWEST
    per_page: int = PAGE_SIZE_DEFAULT
    page: int = 1
    q: str = ""
    tag: str = ""

    @classmethod
    def from_query(cls, params, defaults=None):
        defaults = defaults or ListDefaults()
        return cls(
            status=_choice(params.get("status"), ListStatus, defaults.status),
            sort=_choice(params.get("sort"), ListSort, defaults.sort),
            per_page=_page_size(params.get("per_page"), defaults.per_page),
            page=_page_number(params.get("page")),
            q=_text(params.get("q", ""), SEARCH_MAX_LENGTH),
            # Cut one past the longest name a tag can have: a longer one still matches nothing
            # (and acts on nothing, in the actions on the listed todos) instead of a tag it
            # begins with.
            tag=_text(params.get("tag", ""), TAG_NAME_MAX_LENGTH + 1),
        )

    @property
    def is_filtered(self):
        return bool(self.q or self.tag) or self.status != ListStatus.ALL

    def matching(self, todos, owner):
        """`owner`'s `todos` narrowed by the search and the tag: what the counters count."""
        todos = todos.search(self.q)
        if self.tag:
            todos = todos.with_tag(self.tag, owner=owner)
        return todos

    @property
    def done_listed(self):
        """The `done` of the todos this status lists, or None when it lists them all."""
        return None if self.status == ListStatus.ALL else self.status == ListStatus.COMPLETED

    def listed(self, todos, owner):
        """`owner`'s `todos` as the list shows them: searched, tagged, by status, sorted."""
        todos = self.matching(todos, owner)
        if self.done_listed is not None:
            todos = todos.filter(done=self.done_listed)
        return todos.order_by(*SORT_ORDERINGS[self.sort])

    @property
    def counts_every_match(self):
        """Whether the counters read every matching todo: no index counts a search or a tag."""
        return bool(self.q or self.tag)

    def listed_with_counts(self, todos, owner):
        """All the matching todos with the counters, those of the listed status first, sorted.

        A page of these is the list's page but for any rows of another status at its end (when
        the listed ones run out), and each row carries the counters (`with_counts`): one pass
        over the matches gives both, where `listed` and `counts` take one each.
        """
        todos = self.matching(todos, owner).with_counts()
        ordering = SORT_ORDERINGS[self.sort]
        if self.done_listed is not None:
            listed_first = models.Case(models.When(done=self.done_listed, then=0), default=1)
            ordering = (listed_first, *ordering)
        return todos.order_by(*ordering)

    def shows(self, todo):
        """Whether the list shows `todo` for its status."""
        return self.done_listed is None or todo.done == self.done_listed


def _page_number(value):
    """A page number from 1 to PAGE_NUMBER_MAX, or 1; the paginator clamps it to the last page."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        try:
            return min(max(int(value), 1), PAGE_NUMBER_MAX)
        except ValueError:  # more digits than Python converts: past any end too
            return PAGE_NUMBER_MAX
    return 1


def list_query(params):
    """The list's own parameters from `params` (a QueryDict), for links back to the list."""
    kept = QueryDict(mutable=True)
    for name in LIST_PARAMETERS:
        if name in params:
            kept.setlist(name, params.getlist(name))
    return kept


def list_url(params, page=None):
    """The list page with the list parameters of `params`: where actions send the user back.

    `page`, if given, replaces the page number of `params`.
    """
    kept = list_query(params)
    if page is not None:
        kept["page"] = str(page)
    query = kept.urlencode()
    return reverse("todos:list") + (f"?{query}" if query else "")


def tag_link_prefix(params):
    """The start of a link to this list filtered by another tag, for its name to follow.

    Every list parameter of `params` but the tag and the page is kept, as {% querystring
    tag=... page=None %} keeps them; built once per page rather than once per tag shown.
    """
    kept = list_query(params)
    for name in ("tag", "page"):
        kept.pop(name, None)
    query = kept.urlencode()
    return f"?{query}&tag=" if query else "?tag="
