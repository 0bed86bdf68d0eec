"""The admin for todos and tags: staff inspect and fix data, quickly even on a million todos."""

import csv
import datetime
import itertools
from collections import defaultdict
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Min, OuterRef, Q, UniqueConstraint
from django.db.models.functions import Lower
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from users.models import User

from .admin_tools import (
    CheckedChangeListMixin,
    EstimatedCountPaginator,
    SummarizedDeletionMixin,
    count_subquery,
    most_common_values,
)
from .forms import TAG_FIELD_CLASSES, TODO_FIELD_CLASSES
from .models import TITLE_ORDER, Priority, Tag, Todo
from .services import lock_owners, tag_delete, tag_rename, todos_delete, todos_set_done

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# (column, field) pairs; the tags column comes last, from a query per chunk.
CSV_COLUMNS = (
    ("id", "pk"),
    ("title", "title"),
    ("description", "description"),
    ("owner", "owner__username"),
    ("done", "done"),
    ("completed_at", "completed_at"),
    ("priority", "priority"),
    ("due_date", "due_date"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
    ("version", "version"),
)
CSV_HEADER = (*(column for column, _ in CSV_COLUMNS), "tags")
CSV_FIELDS = tuple(field for _, field in CSV_COLUMNS)
CSV_CHUNK_SIZE = 2000


def todo_changelist_url(**params):
    """The todo changelist filtered by `params` (list filter parameters)."""
    return f"{reverse('admin:todos_todo_changelist')}?{urlencode(params)}"


def tag_label(tag):
    """A tag as staff choose it for a todo: its name is shared by many users, so with its owner."""
    return f"{tag.name} ({tag.owner})"


def may_see_todos(request):
    """Staff who may not view todos see no counts of them either (users' and tags' lists):
    the todo admin's own view permission, which change permission grants too."""
    return admin.site.get_model_admin(Todo).has_view_permission(request)


class DueDateFilter(admin.SimpleListFilter):
    title = "due date"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("today", "Today"),
            ("next7", "Next 7 days"),
            ("none", "No due date"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "overdue":
                return queryset.overdue(today)
            case "today":
                return queryset.filter(due_date=today)
            case "next7":
                return queryset.filter(
                    due_date__gte=today, due_date__lt=today + datetime.timedelta(days=7)
                )
            case "none":
                return queryset.filter(due_date__isnull=True)
        return queryset


def owner_id_in(value):
    """`value` as a user id the database can be asked about, or None. isdigit() alone lets "²"
    and numbers past bigint through."""
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


class OwnerFilter(admin.SimpleListFilter):
    """The one owner the list is limited to (`?owner__id__exact=<id>`, as the users' and tags'
    lists link here), shown with the other filters so that it can be seen and cleared with them.

    No choice of every owner: there may be a hundred thousand. Staff come from those links or
    search by username.
    """

    title = "owner"
    parameter_name = "owner__id__exact"

    def lookups(self, request, model_admin):
        owner_id = owner_id_in(self.value())
        if owner_id is None:
            return []
        username = User.objects.filter(pk=owner_id).values_list("username", flat=True).first()
        return [(str(owner_id), username or f"user #{owner_id} (none)")]

    def has_output(self):
        # Also with no choice to show (not a user id): Django drops a filter without output,
        # and with it the restriction, for the whole list.
        return self.value() is not None

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        owner_id = owner_id_in(self.value())
        if owner_id is None:
            raise IncorrectLookupParameters(f"Not a user id: {self.value()!r}")
        return queryset.filter(owner_id=owner_id)


class TagFilter(admin.SimpleListFilter):
    """Todos by tag name, whatever its letter case.

    Tags belong to users, so a million todos can come with a hundred thousand tags: the choices
    are the owner's tags when the list shows one owner's todos, otherwise the most common names,
    never every tag. Any name works in the URL (`?tag=name`).
    """

    title = "tag"
    parameter_name = "tag"
    max_choices = 20
    # From this many tags, the most common names come from PostgreSQL's statistics: counting
    # them took 60 ms of every changelist view over 100,000 tags.
    estimated_from = 10_000

    def lookups(self, request, model_admin):
        owner_id = owner_id_in(request.GET.get(OwnerFilter.parameter_name))
        if owner_id is not None:
            choices = self.counted_names(Tag.objects.filter(owner_id=owner_id))
        else:
            choices = self.common_names() or self.counted_names(Tag.objects.all())
        return self.with_the_chosen_one(choices)

    def with_the_chosen_one(self, choices):
        """`choices` with the name in the URL as one of them, spelt as there: Django marks the
        choice whose key is the URL's value, and the keys are lower case where the URL may not
        be (the tags list links with each tag's spelling)."""
        chosen = self.value()
        if not chosen:
            return choices
        for index, (key, label) in enumerate(choices):
            if key.lower() == chosen.lower():
                choices[index] = (chosen, label)
                return choices
        return [*choices, (chosen, chosen)]

    def counted_names(self, tags):
        """The most common names among `tags`, counted: (lowercase name, a spelling) pairs."""
        names = (
            tags.values(key=Lower("name"))
            .annotate(label=Min("name"), owners=Count("id"))
            .order_by("-owners", "key")[: self.max_choices]
        )
        return [(name["key"], name["label"]) for name in names]

    def common_names(self):
        """The most common names by the statistics of the unique index on LOWER(name), or []."""
        names = most_common_values(
            Tag,
            "todos_tag_name_unique_per_owner_ci",
            "lower",
            limit=self.max_choices,
            min_rows=self.estimated_from,
        )
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value():
            # Not correlated on the owner as Todo.objects.with_tag is (a todo's tags are always
            # its owner's): PostgreSQL hashes the tag ids once instead of running the subquery
            # per row, 0.2 s instead of 2 s to count 100,000 matches among a million todos.
            return queryset.filter(tags__in=Tag.objects.named(self.value()))
        return queryset


OWNER_DELETED_MEANWHILE = "{owner} was deleted meanwhile; choose another owner."


class TodoAdminForm(forms.ModelForm):
    # The version the page was opened at: a save after someone else's (on the site, by other
    # staff) is refused, as the site's edit form refuses it, instead of writing over it.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Todo
        fields = ("owner", "title", "description", "tags", "done", "priority", "due_date")
        field_classes = TODO_FIELD_CLASSES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["loaded_version"]  # a new todo has none (TodoAdmin.get_fieldsets)
        else:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        owner, tags = cleaned_data.get("owner"), cleaned_data.get("tags")
        if owner and tags:
            foreign = sorted(tag.name for tag in tags if tag.owner_id != owner.pk)
            if foreign:
                self.add_error(
                    "tags", f"These tags belong to another user than {owner}: {', '.join(foreign)}."
                )
        # The admin validates and saves in one transaction. The owners' rows, the old one's and
        # the new one's, taken here at once in id order as every write to todos takes them
        # (`lock_owners`), keep the todo as checked below until it is saved.
        locked = lock_owners([self.instance.owner_id, owner.pk if owner else None])
        if owner and owner.pk not in locked:
            self.add_error("owner", OWNER_DELETED_MEANWHILE.format(owner=owner))
        if tags:
            # Read before the lock: one deleted since (its owner's lock released) would fail
            # the link's foreign key at commit.
            gone = set(tags) - set(Tag.objects.filter(pk__in=[tag.pk for tag in tags]))
            if gone:
                names = ", ".join(sorted(tag.name for tag in gone))
                self.add_error("tags", f"These tags were deleted meanwhile: {names}.")
        if self.instance.pk is not None:
            self.check_unchanged_since_loaded()
        return cleaned_data

    def check_unchanged_since_loaded(self):
        """Refuses the save if the todo changed, or went, since the page was opened."""
        saved = Todo.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
        if saved is None:
            # Saving would insert it again, as Django saves a row its UPDATE did not find.
            raise ValidationError("This todo was deleted meanwhile; your changes were not saved.")
        if saved != self.cleaned_data.get("loaded_version"):
            # The form comes back at the version saved: a second save writes these changes over.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = str(saved)
            raise ValidationError(
                "Someone changed this todo since this page was opened (it is now at version "
                "%(version)d). Your changes were not saved; they are still in the form. Open the "
                "todo in another tab to see it as saved, then save again to write yours over it.",
                code="changed_elsewhere",
                params={"version": saved},
            )


class TagAdminForm(forms.ModelForm):
    """The change page shows the owner read-only, so Django leaves it out of the form's checks,
    and with it the unique (owner, LOWER(name)) constraint: a name the owner already has was
    a 500 (IntegrityError) instead of the constraint's message."""

    class Meta:
        field_classes = TAG_FIELD_CLASSES

    def clean(self):
        cleaned_data = super().clean()
        # The owner's row, taken for the rest of the admin's transaction as TodoAdminForm does.
        if self.instance.pk is None:
            owner = cleaned_data.get("owner")
            if owner and not lock_owners([owner.pk]):
                self.add_error("owner", OWNER_DELETED_MEANWHILE.format(owner=owner))
        else:
            lock_owners([self.instance.owner_id])
            if not Tag.objects.filter(pk=self.instance.pk).exists():
                # Saving would insert it again, as Django saves a row its UPDATE did not find.
                raise ValidationError(
                    "This tag was deleted meanwhile; your changes were not saved."
                )
        return cleaned_data

    def validate_unique(self):
        super().validate_unique()
        if "owner" not in self.fields and self.instance.owner_id is not None:
            # Only those on the owner: the form has checked the others.
            for constraint in Tag._meta.constraints:
                if isinstance(constraint, UniqueConstraint):
                    try:
                        constraint.validate(Tag, self.instance)
                    except ValidationError as error:
                        self.add_error(None, error)


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def csv_rows(queryset):
    """The header, then a row per todo.

    Plain values rather than model instances, and the tag names of each chunk of todos in one
    query: a prefetch builds a related manager per todo, ten times slower on 100,000 todos.
    """
    yield CSV_HEADER
    todos = queryset.prefetch_related(None).values(*CSV_FIELDS).iterator(CSV_CHUNK_SIZE)
    while chunk := list(itertools.islice(todos, CSV_CHUNK_SIZE)):
        tags = _tag_names([todo["pk"] for todo in chunk])
        for todo in chunk:
            yield [csv_cell(value) for value in _csv_values(todo, tags.get(todo["pk"], ""))]


def _tag_names(todo_ids):
    """Each todo's tag names, comma-separated, by todo id, in the order the site lists them."""
    links = (
        Todo.tags.through.objects.filter(todo_id__in=todo_ids)
        .order_by(Lower("tag__name"), "tag_id")
        .values_list("todo_id", "tag__name")
    )
    names = defaultdict(list)
    for todo_id, name in links:
        names[todo_id].append(name)
    return {todo_id: ", ".join(tag_names) for todo_id, tag_names in names.items()}


def _csv_values(todo, tags):
    return (
        todo["pk"],
        todo["title"],
        todo["description"],
        todo["owner__username"],
        "yes" if todo["done"] else "no",
        _iso(todo["completed_at"]),
        Priority(todo["priority"]).label,
        _iso(todo["due_date"]),
        _iso(todo["created_at"]),
        _iso(todo["updated_at"]),
        todo["version"],
        tags,
    )


def _iso(value):
    return value.isoformat() if value else ""


def search_words(search_term):
    """The words of an admin search, quoted phrases kept whole, as Django's search splits them."""
    for word in smart_split(search_term):
        if word.startswith(('"', "'")) and word[0] == word[-1]:
            word = unescape_string_literal(word)
        yield word


class _Echo:
    """A file-like object for csv.writer that hands each written line back instead of storing."""

    def write(self, value):
        return value


@admin.register(Todo)
class TodoAdmin(SummarizedDeletionMixin, CheckedChangeListMixin, admin.ModelAdmin):
    form = TodoAdminForm
    list_display = ("title", "owner", "done", "priority", "due_date", "created_at", "tag_names")
    list_filter = (
        "done",
        "priority",
        DueDateFilter,
        ("created_at", admin.DateFieldListFilter),
        TagFilter,
        OwnerFilter,
    )
    list_select_related = ("owner",)
    # The admin renders its rows slowly (a millisecond or so each on this machine): at 100 a page
    # the rows were two thirds of the changelist's time.
    list_per_page = 50
    search_fields = ("title", "description", "owner__username")
    search_help_text = "Searches titles, descriptions and owners' usernames."
    date_hierarchy = "created_at"
    autocomplete_fields = ("owner", "tags")
    readonly_fields = ("created_at", "updated_at", "completed_at", "version")
    fieldsets = (
        (None, {"fields": ("owner", "title", "description", "tags", "loaded_version")}),
        ("Status", {"fields": ("done", "priority", "due_date")}),
        ("Tracking", {"fields": ("created_at", "updated_at", "completed_at", "version")}),
    )
    actions = ("mark_done", "mark_not_done", "export_csv")
    # The todo pages on the site show only the signed-in user's own todos.
    view_on_site = False
    # Large table: no second COUNT(*) for "(N total)", an estimated count when unfiltered, and no
    # facet counts (one COUNT per filter choice).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return super().get_queryset(request).with_tag_list()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "tags":
            # The chosen tags are labelled as the autocomplete labels them (TagAdmin).
            field.queryset = field.queryset.select_related("owner")
            field.label_from_instance = tag_label
        return field

    def get_fieldsets(self, request, obj=None):
        # A new todo has no version to check, and a page that cannot be saved needs none.
        if obj is not None and self.has_change_permission(request, obj):
            return super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "loaded_version"]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    # Titles sort ignoring letter case, as on the site.
    ordering_expressions = {"title": TITLE_ORDER}

    def get_sortable_by(self, request):
        # One owner's todos sort by any column: the indexes begin with the owner. Across owners
        # only the date created has an index of its own; any other order sorted the whole
        # table (a second a view at a million todos).
        if owner_id_in(request.GET.get(OwnerFilter.parameter_name)) is not None:
            return ("title", "done", "priority", "due_date", "created_at")
        return ("created_at",)

    def get_search_results(self, request, queryset, search_term):
        """Each word in the title, the description or the owner's username, as Django searches.

        The username is matched in a subquery (owner IN the matching users), not through a join
        to users as Django's search does: on the todos table alone PostgreSQL reads the newest
        todos first and stops, for the page, the capped count and the date hierarchy's first
        and last dates alike, where the join made it read all million todos (2 s a view).
        """
        for word in search_words(search_term):
            owners = User.objects.filter(username__icontains=word)
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(description__icontains=word) | Q(owner__in=owners)
            )
        return queryset, False

    def action_checkbox(self, obj):
        """Django's checkbox, written out: its widget templates took a third of the page's time."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    @admin.display(description="tags")
    def tag_names(self, todo):
        return ", ".join(tag.name for tag in todo.tag_list)

    def save_model(self, request, obj, form, change):
        # Its owners' rows are taken: TodoAdminForm.clean.
        if not change or "done" in form.changed_data:
            obj.set_done(obj.done)
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])

    def delete_model(self, request, obj):
        todos_delete(todos=Todo.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        todos_delete(todos=queryset)

    @admin.action(description="Mark selected todos as done", permissions=["change"])
    def mark_done(self, request, queryset):
        count = todos_set_done(todos=queryset, done=True, logged_by=request.user)
        message = ngettext("Marked %d todo as done.", "Marked %d todos as done.", count)
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.action(description="Mark selected todos as not done", permissions=["change"])
    def mark_not_done(self, request, queryset):
        count = todos_set_done(todos=queryset, done=False, logged_by=request.user)
        message = ngettext("Marked %d todo as not done.", "Marked %d todos as not done.", count)
        self.message_user(request, message % count, messages.SUCCESS)

    @admin.action(description="Export selected todos as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in csv_rows(queryset)),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"todos-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(Tag)
class TagAdmin(SummarizedDeletionMixin, CheckedChangeListMixin, admin.ModelAdmin):
    form = TagAdminForm
    list_display = ("name", "owner", "todo_count")
    list_select_related = ("owner",)
    # Ends with the primary key so the admin adds no other tie-breaker: served by tag_name_idx.
    ordering = ("name", "id")
    # Also the source of the todo form's tag autocomplete: type a name or its owner's username.
    search_fields = ("name", "owner__username")
    autocomplete_fields = ("owner",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # The todo form's tag autocomplete (config.admin.LabelledAutocompleteJsonView).
    autocomplete_label = staticmethod(tag_label)

    def get_queryset(self, request):
        # The owner is in every row of the list and in every autocomplete result's label.
        tags = super().get_queryset(request).select_related("owner")
        if not may_see_todos(request):
            return tags
        links = Todo.tags.through.objects.filter(tag=OuterRef("pk"))
        return tags.annotate(todo_count=count_subquery(links))

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if may_see_todos(request):
            return shown
        return tuple(name for name in shown if name != "todo_count")

    def get_readonly_fields(self, request, obj=None):
        # Moving a tag to another user would leave it on todos its new owner does not own.
        return ("owner",) if obj else ()

    # A renamed or deleted tag changes its todos (their versions): the site's services do both.
    def save_model(self, request, obj, form, change):
        if change and "name" in form.changed_data:
            tag_rename(tag=obj, name=obj.name)
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        tag_delete(tags=Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        tag_delete(tags=queryset)

    @admin.display(description="todos")
    def todo_count(self, tag):
        # The name as it is: the filter ignores case in the database, whose LOWER() may fold
        # less than Python's (SQLite's folds ASCII only).
        url = todo_changelist_url(owner__id__exact=tag.owner_id, tag=tag.name)
        return format_html('<a href="{}">{}</a>', url, tag.todo_count)
