"""Template tags for the todo admin."""

import copy

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode

from todos.admin_tools import DateRangeHierarchy, quick_result_list

register = template.Library()


def range_date_hierarchy(cl):
    """Django's date hierarchy, with its periods taken from the first and last rows.

    The first and last of the whole table (within the period drilled into), whatever the
    filters and search: two index lookups. Bounding a search instead read every row for a rare
    word, seconds on a million todos; a period may then hold no todo that the list shows, as
    one between the first and last may anyway.
    """
    ranged = copy.copy(cl)
    ranged.queryset = DateRangeHierarchy(drilled_period(cl))
    return date_hierarchy(ranged)


def drilled_period(cl):
    """The changelist's unfiltered rows in the year, month or day the hierarchy shows."""
    parts = (f"{cl.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return cl.root_queryset.filter(**{part: cl.params[part] for part in parts if part in cl.params})


@register.tag(name="range_date_hierarchy")
def range_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=range_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


@register.tag(name="quick_result_list")
def quick_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=quick_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
