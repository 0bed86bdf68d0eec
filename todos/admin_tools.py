"""Admin helpers that keep changelists quick on tables with millions of rows."""

import copy
import datetime
import operator
from collections import defaultdict
from contextlib import suppress
from functools import reduce

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_list import ResultList, result_list, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters, admin_urlname
from django.contrib.admin.utils import (
    display_for_field,
    display_for_value,
    lookup_field,
    model_ngettext,
    quote,
)
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import (
    BadRequest,
    EmptyResultSet,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import connections, models, router
from django.db.models.constants import LOOKUP_SEP
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.query import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

# pg_class.reltuples scaled to the table's current number of pages: the estimate the planner
# itself uses, so it follows the rows written since the last ANALYZE. NULL when the table has
# never been analyzed (reltuples is -1 from PostgreSQL 14, 0 pages before).
_ESTIMATE_SQL = """
    SELECT CASE WHEN reltuples < 0 OR relpages = 0 THEN NULL
           ELSE (reltuples / relpages
                 * (pg_relation_size(oid) / current_setting('block_size')::int))::bigint
           END
    FROM pg_class WHERE oid = %s::regclass
"""

# The most common values of a column as ANALYZE sampled them (pg_stats; an expression index
# is a relation of its own there, its expressions its columns), only while `table` holds at
# least `min_rows` rows by the last ANALYZE: a small table is cheap to count exactly, and its
# statistics may describe rows long gone.
_COMMON_VALUES_SQL = """
    SELECT v.value
    FROM pg_stats s,
         unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS v(value, frequency)
    WHERE s.schemaname = current_schema() AND s.tablename = %(relation)s
      AND s.attname = %(column)s
      AND (SELECT reltuples FROM pg_class WHERE oid = %(table)s::regclass) >= %(min_rows)s
    ORDER BY v.frequency DESC, v.value
    LIMIT %(limit)s
"""


def most_common_values(model, relation, column, *, limit, min_rows, using="default"):
    """Up to `limit` most common values of `relation`.`column`, most common first.

    Read from PostgreSQL's planner statistics: one catalog lookup instead of a GROUP BY over
    the whole table. An empty list on other databases, for tables under `min_rows` rows and
    before the first ANALYZE: the caller then counts exactly.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    parameters = {
        "relation": relation,
        "column": column,
        "table": connection.ops.quote_name(model._meta.db_table),
        "min_rows": min_rows,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_COMMON_VALUES_SQL, parameters)
        return [value for (value,) in cursor.fetchall()]


class MoreThan(int):
    """A count known only to exceed `bound`, shown as "more than 500".

    Its value is the fewest rows there are (bound + 1): more than one page to Django's
    changelist, which lists every row of a list that fits one page, and too many to "Show all".
    """

    def __new__(cls, bound):
        return super().__new__(cls, bound + 1)

    @property
    def bound(self):
        return self - 1

    def __str__(self):
        return f"more than {self.bound}"


class EstimatedCountPaginator(Paginator):
    """A paginator that never counts every row of a large PostgreSQL table.

    COUNT(*) reads the whole table (about 0.1 s a million rows, seconds with a text search) on
    every changelist view. On a table of `exact_below` rows or more, by the planner's estimate:

    - an unfiltered list takes that estimate (one catalog lookup): the last page number may be
      off by its error;
    - a filtered or searched list is counted up to `counted_pages` pages, then shown as "more
      than N" (`MoreThan`): the database stops at the N+1st match, which for a common word
      comes after a few thousand rows, not a million. Pages past those are not offered.

    Anything else gets the exact count: another database, a table never analyzed, a smaller
    table (counting is cheap there and people expect the exact figure), a sliced, distinct,
    grouped or combined queryset. On lists this long staff narrow the list rather than page.
    """

    exact_below = 10_000
    counted_pages = 10

    @cached_property
    def num_pages(self):
        # The pages counted, each full: the page past them would hold the one row that showed
        # there were more.
        if isinstance(self.count, MoreThan):
            return self.count.bound // self.per_page
        return super().num_pages

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        estimate = self.estimated_count()
        if estimate is None or estimate < self.exact_below:
            return super().count
        if _counts_every_row(queryset):
            return estimate
        if _is_plain_filter(queryset):
            cap = self.per_page * self.counted_pages
            counted = queryset.order_by()[: cap + 1].count()
            return counted if counted <= cap else MoreThan(cap)
        return super().count

    def estimated_count(self):
        """The planner's row estimate of the queryset's whole table on PostgreSQL, else None."""
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(_ESTIMATE_SQL, [table])
            row = cursor.fetchone()
        return row[0] if row else None


def _counts_every_row(queryset):
    """True when the queryset has as many rows as its table: no filter, slice, union or grouping."""
    query = queryset.query
    return not (
        query.has_filters()
        or query.is_sliced
        or query.distinct
        or query.combinator
        or query.group_by is not None
    )


def _is_plain_filter(queryset):
    """True when a slice of the queryset counts its rows: not sliced, combined or grouped."""
    query = queryset.query
    return not (query.is_sliced or query.distinct or query.combinator or query.group_by is not None)


def count_subquery(queryset):
    """The number of rows of a correlated queryset (one using OuterRef), as an expression.

    Unlike Count() over a join, which groups every row of both tables before the page is cut, the
    database runs it only for the rows on the page, each from an index.
    """
    counted = queryset.order_by().annotate(_count=models.Func("pk", function="COUNT"))
    return models.Subquery(counted.values("_count"), output_field=models.IntegerField())


class DateRangeHierarchy:
    """Stands in for a changelist's queryset in Django's date hierarchy tag.

    The tag lists the years (months, days) that have rows with SELECT DISTINCT over the whole
    filtered table: a quarter of a second on a million todos, on every view. This lists every
    period from the first row to the last instead, from two index lookups (MIN and MAX); a period
    in between may have no rows and then shows an empty list.
    """

    def __init__(self, queryset):
        self.queryset = queryset
        self._aggregates = {}

    def aggregate(self, **aggregates):
        # The tag asks for the same MIN and MAX that datetimes() needs: one query for both.
        key = tuple(sorted(aggregates.items()))
        if key not in self._aggregates:
            self._aggregates[key] = self.queryset.aggregate(**aggregates)
        return self._aggregates[key]

    def datetimes(self, field_name, kind):
        bounds = self.aggregate(first=models.Min(field_name), last=models.Max(field_name))
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(bounds[end]).date() for end in ("first", "last"))
        return list(_periods(first, last, kind))


def _periods(first, last, kind):
    """The first day of each year, month or day from `first` to `last`, both included."""
    if kind == "year":
        for year in range(first.year, last.year + 1):
            yield datetime.date(year, 1, 1)
    elif kind == "month":
        for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month):
            yield datetime.date(index // 12, index % 12 + 1, 1)
    elif kind == "day":
        for offset in range((last - first).days + 1):
            yield first + datetime.timedelta(days=offset)
    else:
        raise ValueError(f"Unknown date hierarchy level {kind!r}")


# The integers a database column holds (bigint, SQLite's INTEGER).
_INTEGER_RANGE = range(-(2**63), 2**63)


class CheckedChangeList(ChangeList):
    """Lookups the database cannot be asked (a year past 9999, a NUL character, which PostgreSQL
    refuses in text, an integer past 64 bits, which SQLite's driver refuses) become Django's
    "?e=1" page."""

    def get_queryset(self, request, exclude_parameters=None):
        lookups = self.get_filters_params().values()
        if any("\x00" in value for values in lookups for value in values):
            raise IncorrectLookupParameters("A lookup holds a NUL character.")
        try:
            queryset = super().get_queryset(request, exclude_parameters)
            with suppress(EmptyResultSet):
                # Compiles, runs nothing. The parameters are checked here as only running the
                # query would (`owner=` or `id__in=` a 20-digit number: OverflowError on SQLite).
                _, params = queryset.query.get_compiler(queryset.db).as_sql()
                if any(type(param) is int and param not in _INTEGER_RANGE for param in params):
                    raise OverflowError("A lookup holds an integer past 64 bits.")
        except (ValueError, OverflowError, IndexError, TypeError) as error:
            # IndexError: `id__range=1`, one bound where Django's BETWEEN takes two.
            raise IncorrectLookupParameters(error) from error
        return queryset

    def get_ordering_field(self, field_name):
        # The headers offer only the model admin's sortable_by; Django's ?o= sorts by any
        # column, and a column without an index sorts the whole table.
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        # A column sorted as the site sorts it: the index is on that expression.
        expressions = getattr(self.model_admin, "ordering_expressions", {})
        return expressions.get(field_name) or super().get_ordering_field(field_name)


def _is_value_of(field, value):
    """Whether the model field `field` takes `value`: of its type, within the range its column
    takes."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


def _is_key(relation, value):
    """Whether `value` can be a key of the rows the relation field `relation` points at."""
    opts = relation.remote_field.model._meta
    name = getattr(relation.remote_field, "field_name", None) or opts.pk.name
    return _is_value_of(opts.get_field(name), value)


class KeysOnlyModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses what cannot be a key before asking the database, with Django's own message: on
    SQLite a number past 64 bits was an OverflowError (a 500), where Django's field turns only
    ValueError and TypeError into its error."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            opts = self.queryset.model._meta
            key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
            for item in value:
                if not _is_value_of(key, item):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": item},
                    )
        return super().clean(value)


class _KeysOnlyAutocomplete:
    """Shows a refused form again without looking up values that cannot be keys.

    Django's autocomplete widget looks up every submitted value to show it selected: "abc", a
    NUL or a number past 64 bits made that a 500, after the form field had refused the value
    with its own message.
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [key for key in value if _is_key(self.field, key)], attr)


class KeysOnlyAutocompleteSelect(_KeysOnlyAutocomplete, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(_KeysOnlyAutocomplete, AutocompleteSelectMultiple):
    pass


class CheckedChangeListMixin:
    """For a ModelAdmin: hostile changelist parameters get the admin's error page, not a 500;
    an action on selected rows that are not primary keys gets a 400; a relation field sent
    something that is no key gets the form's error."""

    # A regular expression from the URL runs in the database: a bad one is an error there (a
    # 500), and SQLite runs it in Python's re, holding the interpreter lock, so one pattern that
    # backtracks without end (`^(x|x)*y$` on a long title) hung the whole server.
    refused_lookups = ("regex", "iregex")

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def lookup_allowed(self, lookup, value, request):
        # Django answers False with a 400.
        if "\x00" in lookup or lookup.rpartition(LOOKUP_SEP)[2] in self.refused_lookups:
            return False
        if isinstance(self._first_field(lookup), models.JSONField):
            # Keys and lookups inside a JSON document (a user's preferences): nothing links to
            # them, and several were a 500 (SQLite has no `contains` on JSON, a `range` inside
            # one got a parameter too many).
            return False
        return super().lookup_allowed(lookup, value, request)

    def _first_field(self, lookup):
        with suppress(FieldDoesNotExist):
            return self.opts.get_field(lookup.partition(LOOKUP_SEP)[0])
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeysOnlyModelMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # No stored text holds a NUL (the forms refuse it), and PostgreSQL refuses one in a
        # query: a 500 from the autocomplete, which searches without the changelist's checks.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset):
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            if not _is_value_of(self.model._meta.pk, value):
                raise BadRequest(f"Not a {self.opts.verbose_name} to select: {value!r}")
        return super().response_action(request, queryset)


# Stands for the primary key in the change URL that is reversed once per page.
_PK_PLACEHOLDER = "__pk__"


class SummarizedDeletionMixin:
    """A deletion that takes many objects with it counts them on its confirmation page.

    Django's page fetches, links and lists every object a deletion takes: for a user with
    10,000 todos, 1.2 s and 1.5 MB of HTML. Past `deletion_listed_max` objects besides those
    chosen, the page lists the chosen ones and says how many of each kind go with them, counted
    by the database as deletion itself finds them (Django's Collector, without fetching what it
    can delete in one statement); past `deletion_listed_max` chosen ones (a selection across
    every page), it counts those too. The permission check is Django's, by kind; a deletion that
    something protects gets Django's page, which names what protects it.
    """

    deletion_listed_max = 100

    def get_deleted_objects(self, objs, request):
        collector = Collector(using=router.db_for_write(self.model), origin=objs)
        try:
            collector.collect(objs)
        except (ProtectedError, RestrictedError):
            return super().get_deleted_objects(objs, request)
        counts = _deletion_counts(collector)
        chosen = len(objs)  # read by the collector already
        if max(chosen, sum(counts.values()) - chosen) <= self.deletion_listed_max:
            return super().get_deleted_objects(objs, request)
        site = self.admin_site
        perms_needed = {
            model._meta.verbose_name
            for model in counts
            if site.is_registered(model)
            and not site.get_model_admin(model).has_delete_permission(request)
        }
        taken = ", ".join(
            f"{count:,} {model_ngettext(model, count)}"
            for model, count in counts.items()
            if model is not self.model
        )
        if chosen > self.deletion_listed_max:  # "Delete selected" across every page
            listed = [f"{chosen:,} {model_ngettext(self.model, chosen)}, not listed one by one."]
        else:
            listed = [self._deletion_link(obj) for obj in objs]
        if taken:
            listed.append(f"With them, not listed one by one: {taken}.")
        model_count = {model._meta.verbose_name_plural: count for model, count in counts.items()}
        return listed, model_count, perms_needed, []

    def _deletion_link(self, obj):
        """The chosen object as Django's page lists it: its kind and a link to its change page."""
        opts = self.model._meta
        url = reverse(
            admin_urlname(opts, "change"), args=[quote(obj.pk)], current_app=self.admin_site.name
        )
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)


def _deletion_counts(collector):
    """How many objects of each model `collector` would delete, those it fetched and not."""
    counts = {model: len(instances) for model, instances in collector.data.items()}
    querysets = defaultdict(list)
    for queryset in collector.fast_deletes:
        querysets[queryset.model].append(queryset)
    for model, matching in querysets.items():
        # A row can be reached by several paths (a todo-tag link by its todo and by its tag).
        counts[model] = counts.get(model, 0) + reduce(operator.or_, matching).count()
    return {model: count for model, count in counts.items() if count}


def quick_result_list(cl):
    """Django's `result_list` tag context, with the rows from `changelist_rows`."""
    headers_only = copy.copy(cl)
    headers_only.result_list = []
    context = result_list(headers_only)
    context.update(cl=cl, results=list(changelist_rows(cl)))
    return context


def changelist_rows(cl):
    """The changelist's rows, each the same HTML as Django's `items_for_result` gives.

    Django works out every cell from scratch: the column's field, its classes, whether it
    links, the change URL (a reverse() and, with filters to preserve, a resolve() per row) and
    four format_html calls; that was 40% of the todo changelist's time. Here what is the same
    for every row is worked out once per page, and so is the display of each boolean and choice
    value; every value is still shown by Django's own `display_for_field` and
    `display_for_value`. A row is one string, so the template's loop runs once per row instead
    of once per cell. tests/todos/test_admin.py compares the rows with Django's.

    Changelists this does not cover get Django's rows: editable lists, popups, a to_field,
    callables in list_display, and primary keys other than integers (whose URLs need quoting).
    """
    if not _has_plain_rows(cl):
        yield from results(cl)
        return
    columns = [_Column(cl, index, name) for index, name in enumerate(cl.list_display)]
    change_url = reverse(
        admin_urlname(cl.opts, "change"),
        args=(_PK_PLACEHOLDER,),
        current_app=cl.model_admin.admin_site.name,
    )
    preserved = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    url_start, _, url_end = add_preserved_filters(preserved, change_url).partition(_PK_PLACEHOLDER)
    url_start, url_end = escape(url_start), escape(url_end)
    for result in cl.result_list:
        cells = []
        first = True
        for column in columns:
            classes, shown = column.cell(result)
            if column.links:
                tag = "th" if first else "td"
                first = False
                url = f"{url_start}{getattr(result, cl.pk_attname)}{url_end}"
                cells.append(f'<{tag}{classes}><a href="{url}">{shown}</a></{tag}>')
            else:
                cells.append(f"<td{classes}>{shown}</td>")
        yield ResultList(None, [mark_safe("".join(cells))])


def _has_plain_rows(cl):
    return not (
        cl.formset
        or cl.is_popup
        or cl.to_field
        or not all(isinstance(name, str) for name in cl.list_display)
        or not isinstance(cl.opts.pk, models.IntegerField)
    )


class _Column:
    """One column of a changelist: what `items_for_result` decides per cell, decided once."""

    def __init__(self, cl, index, name):
        self.name = name
        self.model_admin = cl.model_admin
        self.empty_value_display = cl.model_admin.get_empty_value_display()
        links = cl.list_display_links
        self.links = links is not None and (name in links if links else index == 0)
        self.shown = {}  # (type, value): how a boolean or a choice is displayed

    def cell(self, result):
        """The cell's class attribute and its escaped content, as `items_for_result` has them."""
        classes = [f"field-{self.name}"]
        empty_value_display = self.empty_value_display
        try:
            field, attr, value = lookup_field(self.name, result, self.model_admin)
        except ObjectDoesNotExist:
            shown = empty_value_display
        else:
            empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if field is None or field.auto_created:
                if self.name == "action_checkbox":
                    classes = ["action-checkbox"]
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
                shown = display_for_value(value, empty_value_display, boolean)
                if isinstance(value, datetime.date | datetime.time):
                    classes.append("nowrap")
            else:
                if isinstance(field.remote_field, models.ManyToOneRel):
                    related = getattr(result, field.name)
                    shown = empty_value_display if related is None else related
                else:
                    shown = self.field_display(value, field, empty_value_display)
                if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
                    classes.append("nowrap")
        return f' class="{" ".join(classes)}"', conditional_escape(shown)

    def field_display(self, value, field, empty_value_display):
        """Django's display of a field's value; a boolean's icon or a choice's label once a page.

        Those come from a handful of values, and each icon asks the static files storage for
        its URL (a quarter of the rows' time).
        """
        if not (field.flatchoices or isinstance(field, models.BooleanField)):
            return display_for_field(value, field, empty_value_display, self.links)
        try:
            return self.shown[type(value), value]
        except KeyError:
            shown = self.shown[type(value), value] = display_for_field(
                value, field, empty_value_display, self.links
            )
            return shown
        except TypeError:  # an unhashable choice
            return display_for_field(value, field, empty_value_display, self.links)
